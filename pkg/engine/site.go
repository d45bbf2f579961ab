package engine

import (
	"context"

	"github.com/meshc-dev/meshc/pkg/result"
	"github.com/meshc-dev/meshc/pkg/score"
)

// SiteResults returns what the catalog site shows beside the model: every
// product's scorecard with the roll-ups (nil when the platform defines no
// #Scorecard) and the observed usage (nil when the live catalog's backend
// keeps none).
func (e *Engine) SiteResults(ctx context.Context) (*result.Scores, *result.Usage, error) {
	var (
		s   *result.Scores
		u   *result.Usage
		err error
	)
	sc, err := score.Load(e.cfg)
	if err != nil {
		return nil, nil, err
	}
	if sc != nil {
		if s, err = e.Score(ctx, ScoreOptions{}); err != nil {
			return nil, nil, err
		}
	}
	if _, uerr := e.UsageStore(); uerr == nil {
		if u, err = e.Usage(ctx, UsageOptions{}); err != nil {
			return nil, nil, err
		}
	}
	return s, u, nil
}
