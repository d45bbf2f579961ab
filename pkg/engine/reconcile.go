package engine

import (
	"context"
	"errors"
	"maps"
	"slices"

	"github.com/meshc-dev/meshc/pkg/catalog"
	"github.com/meshc-dev/meshc/pkg/diag"
	"github.com/meshc-dev/meshc/pkg/result"
)

// Reconcile reads every domain at its source and plans against the live
// catalog, labelling each change with its drift; with repair it applies
// the plan when it has no errors (see Repair). A domain whose source
// cannot be read is left exactly as it is live and named in the result.
// ctx cancels the fetch and the evaluation; an apply that has begun is
// finished, so that a service stopped by SIGTERM never leaves half a write.
func (e *Engine) Reconcile(ctx context.Context, repair bool) (*result.Reconcile, error) {
	pl, r, err := e.Drift(ctx)
	if err != nil || !repair {
		return r, err
	}
	return e.Repair(ctx, pl, r)
}

// Drift is Reconcile's finding: the plan that repairs the drift, and the
// report of it.
func (e *Engine) Drift(ctx context.Context) (*Planned, *result.Reconcile, error) {
	if len(e.o.Local) > 0 {
		return nil, nil, errors.New("reconcile reads every domain at its ref: --domain does not apply")
	}
	pl, err := e.plan(ctx, true)
	if err != nil {
		return nil, nil, err
	}
	p := pl.Plan
	r := &result.Reconcile{Plan: p}
	for _, d := range slices.Sorted(maps.Keys(p.Skipped)) {
		switch p.Skipped[d].Reason {
		case catalog.KeepUnreadable:
			r.Unreadable = append(r.Unreadable, d)
		case catalog.KeepFailed:
			r.Failed = append(r.Failed, d)
		}
	}
	return pl, r, nil
}

// Repair applies the plan of a Drift when it has no errors and changes
// something, planned again if another apply wrote meanwhile, and returns
// the report with the new serial.
func (e *Engine) Repair(ctx context.Context, pl *Planned, r *result.Reconcile) (*result.Reconcile, error) {
	if pl.Plan.Diagnostics.HasErrors() || !pl.Plan.Recordable() {
		return r, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	a, err := e.Apply(context.WithoutCancel(ctx), pl)
	if err != nil {
		return nil, err
	}
	out := *r
	out.Plan = a.Plan
	if !a.Applied {
		// Planned again, the repair is invalid or nothing is left to do.
		out.Plan.Diagnostics = append(diag.Diagnostics{}, append(a.Plan.Diagnostics, a.Diagnostics...)...)
		return &out, nil
	}
	out.Applied, out.Serial = true, a.Serial
	return &out, nil
}
