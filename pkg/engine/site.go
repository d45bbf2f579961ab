package engine

import (
	"context"
	"errors"
	"fmt"

	"github.com/meshc-dev/meshc/pkg/result"
	"github.com/meshc-dev/meshc/pkg/score"
)

// SiteResults returns what the catalog site shows beside the model: every
// product's scorecard with the roll-ups (nil when the platform defines no
// #Scorecard) and the observed usage (nil when the live catalog's backend
// keeps none). When one of them cannot be made, the other is still
// returned, with the error of the first.
func (e *Engine) SiteResults(ctx context.Context) (*result.Scores, *result.Usage, error) {
	var (
		s    *result.Scores
		u    *result.Usage
		errs []error
	)
	sc, err := score.Load(e.cfg)
	if err == nil && sc != nil {
		s, err = e.Score(ctx, ScoreOptions{})
	}
	if err != nil {
		errs = append(errs, fmt.Errorf("scorecards: %w", err))
	}
	if _, uerr := e.UsageStore(); uerr == nil {
		if u, err = e.Usage(ctx, UsageOptions{}); err != nil {
			errs = append(errs, fmt.Errorf("observed usage: %w", err))
		}
	}
	return s, u, errors.Join(errs...)
}
