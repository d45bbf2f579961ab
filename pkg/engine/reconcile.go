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
// left exactly as it is live and named in the result. ctx cancels the
// fetch and the evaluation; an apply that has begun is finished, so that
// a service stopped by SIGTERM never leaves half a write.
func (e *Engine) Reconcile(ctx context.Context, repair bool) (*result.Reconcile, error) {
	if len(e.o.Local) > 0 {
		return nil, errors.New("reconcile reads every domain at its ref: --domain does not apply")
	}
	pl, err := e.plan(ctx, true)
	if err != nil {
		return nil, err
	}
	p := pl.Plan
	plan.ClassifyDrift(p, pl.Live)
	r := &result.Reconcile{Plan: p}
	for _, d := range slices.Sorted(maps.Keys(p.Skipped)) {
		if p.Skipped[d].Reason == catalog.KeepUnreadable {
			r.Unreadable = append(r.Unreadable, d)
		}
	}
	if !repair || p.Diagnostics.HasErrors() || !p.Recordable() {
		return r, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	serial, err := e.write(context.WithoutCancel(ctx), p)
	var stale *plan.StaleError
	if errors.As(err, &stale) {
		return nil, fmt.Errorf("the live catalog changed while reconciling: %w", err)
	}
	if err != nil {
		return nil, err
	}
	r.Applied, r.Serial = true, serial
	return r, nil
}
