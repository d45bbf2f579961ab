package engine

import (
	"context"
	"fmt"
	"slices"

	"github.com/meshc-dev/meshc/pkg/catalog"
	"github.com/meshc-dev/meshc/pkg/diag"
	"github.com/meshc-dev/meshc/pkg/plan"
	"github.com/meshc-dev/meshc/pkg/redact"
	"github.com/meshc-dev/meshc/pkg/state"
)

// Planned is a plan with what it was made against.
type Planned struct {
	Plan *plan.Plan
	// Live is the catalog the plan was made against; nil for a saved plan,
	// which is checked against the live catalog when applied.
	Live *state.Catalog
	// Fresh is true for a plan made in this run, false for a saved one.
	Fresh bool

	// file is the path a saved plan was read from.
	file  string
	usage []state.UsageAggregate // the observed usage it was made with

	// replan plans again against a live catalog another apply changed
	// since; nil for a plan that must be applied exactly as it is.
	replan func(ctx context.Context, live *state.Catalog) *plan.Plan
	// readLive reads, under the lock, the live catalog to apply to: the
	// part of it the plan needs for a plan made against a part.
	readLive func(ctx context.Context, lock state.Lock) (*state.Catalog, error)
}

// Plan loads and checks the mesh and diffs it against the live catalog.
// Products whose desired state is unknown (schema errors) and domains left
// as they are live (see catalog.Keep) stay as the catalog has them.
func (e *Engine) Plan(ctx context.Context) (*Planned, error) {
	return e.plan(ctx, false)
}

// plan plans; reconcile is tolerant of unreadable sources and labels
// drift.
func (e *Engine) plan(ctx context.Context, reconcile bool) (*Planned, error) {
	usage, err := e.observedUsage(ctx)
	if err != nil {
		return nil, err
	}
	l, err := e.load(ctx, true, reconcile, usage)
	if err != nil {
		return nil, err
	}
	pl := e.planAgainst(ctx, l, reconcile)
	if err := e.scorePlan(pl); err != nil {
		return nil, err
	}
	// A merge (a domain from its checkout, the others live) and a repair
	// are planned again under the lock if another apply wrote first.
	if reconcile || e.prCheck() {
		pl.replan = func(ctx context.Context, live *state.Catalog) *plan.Plan {
			res := l.res
			switch {
			case l.part != nil:
				res = l.part.against(res, live)
			case e.prCheck():
				res = res.WithPart(live.Mesh(), nil, nil)
			}
			again := e.planAgainst(ctx, &loaded{res: res, live: live, usage: l.usage}, reconcile)
			again.Plan.Scores = pl.Plan.Scores
			return again.Plan
		}
	}
	if l.part != nil {
		pl.readLive = func(ctx context.Context, lock state.Lock) (*state.Catalog, error) {
			return l.part.read(ctx, lock.ReadPart)
		}
	}
	return pl, nil
}

// planAgainst diffs the loaded mesh against its live catalog.
func (e *Engine) planAgainst(ctx context.Context, l *loaded, reconcile bool) *Planned {
	res := l.res
	keep := map[string]catalog.Keep{}
	for d := range res.Failed {
		keep[d] = catalog.Keep{Reason: catalog.KeepFailed}
	}
	for d := range res.Others {
		keep[d] = catalog.Keep{Reason: catalog.KeepLive}
	}
	for d, err := range res.Unreadable {
		keep[d] = catalog.Keep{Reason: catalog.KeepUnreadable, Detail: redact.Text(err.Error())}
	}
	p := plan.Diff(res.Mesh, l.live, plan.Options{
		Today:         e.o.Now(),
		MinSunsetDays: e.cfg.Lifecycle.MinSunsetDays,
		Skip:          keep,
		Unknown:       res.Invalid,
		Drift:         reconcile,
		Usage:         l.usage,
	})
	p.Diagnostics = e.waive(ctx, l, append(p.Diagnostics, res.Diagnostics...))
	if e.prCheck() {
		// The other domains are taken as they are live: their products'
		// no-op entries say nothing, and would list only some of them.
		p.Changes = slices.DeleteFunc(p.Changes, func(c *plan.Change) bool {
			_, local := e.o.Local[c.Domain]
			return c.Action == plan.NoOp && !local
		})
	}
	if reconcile {
		skipFailed(p, res.Failed)
	}
	return &Planned{Plan: p, Live: l.live, Fresh: true, usage: l.usage}
}

// LoadPlan reads a plan saved by `meshc plan -out`, to apply. A file that
// is not such a plan is a *plan.NotAPlanError; nothing else in it is
// trusted yet: Apply verifies it against this mesh and its live catalog.
func (e *Engine) LoadPlan(path string) (*Planned, error) {
	p, err := plan.Load(path)
	if err != nil {
		return nil, err
	}
	return &Planned{Plan: p, file: path}, nil
}

// SavePlan seals a plan made in this run for this mesh (its platform and
// live catalog) and saves it to path; a plan with errors is not saved
// (*plan.ErrorsError).
func (e *Engine) SavePlan(path string, pl *Planned) error {
	if pl.Live == nil {
		return fmt.Errorf("saving the plan: only a plan made in this run can be saved")
	}
	if pl.Plan.Part() {
		return fmt.Errorf("saving the plan: it was made against part of the live catalog; open the engine with WholeLive to save it")
	}
	return plan.Save(path, pl.Plan, plan.MeshOf(e.cfg.Platform.Name, pl.Live))
}

// skipFailed makes the reconcile of a domain whose CUE does not evaluate
// what it is for an unreadable one: the domain is left as it is live and
// reported, its errors stay as warnings, and they do not stop the repair
// of every other domain.
func skipFailed(p *plan.Plan, failed map[string]bool) {
	for i, d := range p.Diagnostics {
		if !failed[d.Domain] || d.Severity != diag.Error {
			continue
		}
		if k := p.Skipped[d.Domain]; k.Detail == "" {
			k.Detail = d.Pos().String() + ": " + d.Message
			p.Skipped[d.Domain] = k
		}
		p.Diagnostics[i].Severity = diag.Warning
	}
}
