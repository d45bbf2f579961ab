package engine

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/meshc-dev/meshc/pkg/catalog"
	"github.com/meshc-dev/meshc/pkg/plan"
	"github.com/meshc-dev/meshc/pkg/result"
)

// Reconcile reads every domain at its source and plans against the live
// catalog, labelling each change with its drift; with repair it applies
// the plan when it has no errors. A domain whose source cannot be read is
// left exactly as it is live and named in the result.
func (e *Engine) Reconcile(ctx context.Context, repair bool) (*result.Reconcile, error) {
	if len(e.o.Local) > 0 {
		return nil, errors.New("reconcile reads every domain at its ref: --domain does not apply")
	}
	pl, err := e.plan(ctx, true)
	if err != nil {
		return nil, err
	}
	p := pl.Plan
	r := &result.Reconcile{Plan: p}
	for _, d := range slices.Sorted(maps.Keys(p.Skipped)) {
		if p.Skipped[d].Reason == catalog.KeepUnreadable {
			r.Unreadable = append(r.Unreadable, d)
		}
	}
	if !repair {
		return r, nil
	}
	return e.Repair(ctx, r)
}

// Repair applies a reconcile's plan, when it has no errors and changes
// something, and returns the result with the new serial.
func (e *Engine) Repair(ctx context.Context, r *result.Reconcile) (*result.Reconcile, error) {
	p := r.Plan
	if p.Diagnostics.HasErrors() || !p.Recordable() {
		return r, nil
	}
	serial, err := e.write(ctx, p)
	var stale *plan.StaleError
	if errors.As(err, &stale) {
		return nil, fmt.Errorf("the live catalog changed while reconciling: %w", err)
	}
	if err != nil {
		return nil, err
	}
	out := *r
	out.Applied, out.Serial = true, serial
	return &out, nil
}
