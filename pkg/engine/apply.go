package engine

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/meshc-dev/meshc/pkg/diag"
	"github.com/meshc-dev/meshc/pkg/plan"
	"github.com/meshc-dev/meshc/pkg/result"
	"github.com/meshc-dev/meshc/pkg/state"
)

// ErrHasErrors is a plan that cannot be applied because it has errors.
var ErrHasErrors = errors.New("the plan has errors and cannot be applied")

// DefaultLockTimeout is how long an apply waits for another to release
// the live catalog's lock.
const DefaultLockTimeout = 2 * time.Minute

// maxAttempts bounds how often an apply plans again after losing a race.
const maxAttempts = 20

// Apply makes pl's desired catalog the new live catalog under the store's
// lock. A saved plan is verified first (see verify) and must match the
// live catalog exactly: otherwise it is refused with a sealed-plan or
// stale-plan diagnostic (a result, not an error). A merge
// (a domain from its checkout) or a repair is planned again against what
// others applied meanwhile, and refused only when the change is no longer
// valid against it. A plan with errors is refused as ErrHasErrors.
func (e *Engine) Apply(ctx context.Context, pl *Planned) (*result.Apply, error) {
	if !pl.Fresh {
		live, err := e.store.Read(ctx)
		if err != nil {
			return nil, err
		}
		v, err := e.verify(ctx, pl.Plan, pl.file, live)
		if err != nil {
			return nil, err
		}
		if len(v.refused) > 0 {
			return &result.Apply{Plan: v.plan, Diagnostics: v.refused}, nil
		}
		// What is applied is the plan made again from the file's desired
		// catalog, equal to what the file lists: nothing of the file is
		// applied unchecked.
		pl = &Planned{Plan: v.plan, file: pl.file}
	}
	p := pl.Plan
	if n := p.Diagnostics.Count(diag.Error); n > 0 {
		return &result.Apply{Plan: p}, fmt.Errorf("%w (%d errors)", ErrHasErrors, n)
	}
	out, err := e.commit(ctx, pl)
	var stale *plan.StaleError
	var lost *state.StaleError // a concurrent writer won the swap
	if errors.As(err, &stale) || errors.As(err, &lost) {
		d := diag.Errorf("stale-plan", "%v", err)
		return &result.Apply{Plan: p, Diagnostics: diag.Diagnostics{d}}, nil
	}
	return out, err
}

// commit writes pl under the lock, planning again (with pl.replan) when
// the live catalog moved since pl was made, and again when a backend's
// compare-and-swap loses to a concurrent writer.
func (e *Engine) commit(ctx context.Context, pl *Planned) (*result.Apply, error) {
	p := pl.Plan
	from := p.LiveSerial
	for attempt := 1; ; attempt++ {
		lock, err := e.lock(ctx)
		if err != nil {
			return nil, err
		}
		out, err := e.commitLocked(ctx, lock, pl, p, from)
		lock.Unlock()
		var stale *state.StaleError
		if errors.As(err, &stale) && pl.replan != nil && attempt < maxAttempts {
			continue // another writer won the compare-and-swap: plan again
		}
		if out != nil && out.Plan != nil {
			p = out.Plan
		}
		return out, err
	}
}

func (e *Engine) commitLocked(ctx context.Context, lock state.Lock, pl *Planned, p *plan.Plan, from int64) (*result.Apply, error) {
	read := func(ctx context.Context, lock state.Lock) (*state.Catalog, error) { return lock.Read(ctx) }
	if pl.readLive != nil {
		read = pl.readLive
	}
	live, err := read(ctx, lock)
	if err != nil {
		return nil, err
	}
	out := &result.Apply{Plan: p}
	moved := live.Serial != p.LiveSerial || live.Lineage != p.Lineage
	// A plan made against part of the live catalog is made again against
	// the part read under the lock, which is what is written.
	if pl.replan != nil && (moved || p.Part()) {
		p = pl.replan(ctx, live)
		out.Plan, out.Replanned, out.From = p, moved, from
		if p.Diagnostics.HasErrors() {
			out.Diagnostics = diag.Diagnostics{diag.Errorf("stale-plan",
				"the live catalog moved from serial %d to %d while this change was applied; planned again against it, the change is no longer valid (see the errors above); plan again",
				from, live.Serial)}
			return out, nil
		}
		if !p.Recordable() {
			out.Serial = live.Serial
			return out, nil
		}
	}
	next, err := p.Apply(live, e.o.Actor, e.o.Now())
	if err != nil {
		return nil, err
	}
	if err := lock.Write(ctx, next, live.Serial); err != nil {
		return nil, err
	}
	out.Applied, out.Serial = true, next.Serial
	return out, nil
}

// lock takes the store's lock, waiting with backoff while another apply
// holds it, up to the lock timeout.
func (e *Engine) lock(ctx context.Context) (state.Lock, error) {
	deadline := time.Now().Add(e.o.LockTimeout)
	wait := 20 * time.Millisecond
	for {
		lock, err := e.store.Lock(ctx, e.o.Actor+" (meshc apply)")
		if n, ok := lock.(state.Noticer); ok && err == nil && e.o.Notice != nil {
			for _, s := range n.Notices() {
				e.o.Notice(s)
			}
		}
		var locked *state.LockedError
		if !errors.As(err, &locked) || time.Now().Add(wait).After(deadline) {
			return lock, err
		}
		// Jitter spreads the waiters out, so they do not all retry at once.
		d := wait/2 + rand.N(wait)
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(d):
		}
		wait = min(2*wait, time.Second)
	}
}
