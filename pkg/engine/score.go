package engine

import (
	"context"
	"errors"

	"github.com/meshc-dev/meshc/pkg/catalog"
	"github.com/meshc-dev/meshc/pkg/plan"
	"github.com/meshc-dev/meshc/pkg/result"
	"github.com/meshc-dev/meshc/pkg/score"
)

// ScoreOptions narrows a scoring.
type ScoreOptions struct {
	Product, Domain string
}

// Score scores the live catalog's products with the platform's
// #Scorecard and its observed usage.
func (e *Engine) Score(ctx context.Context, o ScoreOptions) (*result.Scores, error) {
	sc, err := score.Load(e.cfg)
	if err != nil {
		return nil, err
	}
	if sc == nil {
		return nil, errors.New("the platform defines no scorecard: declare #Scorecard in a file of platform.policies (see README, Scorecards)")
	}
	m, err := e.liveScope(ctx, o.Product, o.Domain)
	if err != nil {
		return nil, err
	}
	aggs, err := e.observedUsage(ctx)
	if err != nil {
		return nil, err
	}
	return sc.Score(m, score.Options{Today: e.o.Now(), Usage: aggs, Product: o.Product, Domain: o.Domain}), nil
}

// scorePlan sets the scores of the products pl changes, after and
// before, when the platform defines a scorecard.
func (e *Engine) scorePlan(pl *Planned) error {
	sc, err := score.Load(e.cfg)
	if err != nil || sc == nil || pl.Plan.Desired == nil {
		return err
	}
	now := e.o.Now()
	prev := map[string]float64{}
	if pl.Live != nil {
		for _, p := range sc.Score(pl.Live.Mesh(), score.Options{Today: now, Usage: pl.usage}).Products {
			prev[p.Product] = p.Score
		}
	}
	changed := map[string]bool{}
	for _, c := range pl.Plan.Pending() {
		changed[c.Product] = c.Action != plan.Delete
	}
	d := pl.Plan.Desired
	after := sc.Score(&catalog.Mesh{Domains: d.Domains, Products: d.Products}, score.Options{Today: now, Usage: pl.usage, Previous: prev})
	for _, p := range after.Products {
		if !changed[p.Product] {
			continue
		}
		s := plan.Score{Product: p.Product, Score: p.Score, Level: p.Level, Previous: p.Previous}
		for _, c := range p.Checks {
			if !c.Passed {
				s.Failed = append(s.Failed, c.ID)
			}
		}
		pl.Plan.Scores = append(pl.Plan.Scores, s)
	}
	return nil
}
