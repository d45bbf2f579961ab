package engine

import (
	"context"
	"errors"
	"fmt"

	"github.com/meshc-dev/meshc/pkg/diag"
	"github.com/meshc-dev/meshc/pkg/plan"
	"github.com/meshc-dev/meshc/pkg/result"
)

// ErrHasErrors is a plan that cannot be applied because it has errors.
var ErrHasErrors = errors.New("the plan has errors and cannot be applied")

// Apply writes pl's desired catalog as the new live catalog under the
// store's lock, refusing a plan the live catalog has moved away from: that
// is a result with a stale-plan diagnostic, not an error. A plan with
// errors is refused as ErrHasErrors-wrapped, with nothing written.
func (e *Engine) Apply(ctx context.Context, pl *Planned) (*result.Apply, error) {
	p := pl.Plan
	if n := p.Diagnostics.Count(diag.Error); n > 0 {
		return &result.Apply{Plan: p}, fmt.Errorf("%w (%d errors)", ErrHasErrors, n)
	}
	serial, err := e.write(ctx, p)
	var stale *plan.StaleError
	if errors.As(err, &stale) {
		d := diag.Errorf("stale-plan", "%v", err)
		return &result.Apply{Plan: p, Diagnostics: diag.Diagnostics{d}}, nil
	}
	if err != nil {
		return nil, err
	}
	return &result.Apply{Applied: true, Serial: serial, Plan: p}, nil
}

// write applies p to the store under its lock and returns the new serial.
func (e *Engine) write(ctx context.Context, p *plan.Plan) (int64, error) {
	lock, err := e.store.Lock(ctx, e.o.Actor+" (meshc apply)")
	if err != nil {
		return 0, err
	}
	defer lock.Unlock()
	live, err := e.store.Read(ctx)
	if err != nil {
		return 0, err
	}
	next, err := p.Apply(live, e.o.Actor, e.o.Now())
	if err != nil {
		return 0, err
	}
	if err := lock.Write(ctx, next, live.Serial); err != nil {
		return 0, err
	}
	return next.Serial, nil
}
