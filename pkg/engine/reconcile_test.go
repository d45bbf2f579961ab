package engine

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/meshc-dev/meshc/pkg/state"
)

// cancelOnLock cancels the run's context as the apply takes the store's
// lock, as SIGTERM arriving mid-apply would.
type cancelOnLock struct {
	state.Store
	cancel func()
}

func (s cancelOnLock) Lock(ctx context.Context, who string) (state.Lock, error) {
	s.cancel()
	return s.Store.Lock(ctx, who)
}

func openExample(t *testing.T) *Engine {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS("../../catalog-example")); err != nil {
		t.Fatal(err)
	}
	e, err := Open(Options{Config: filepath.Join(dir, "mesh.cue"), State: filepath.Join(dir, "catalog.json")})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// A reconcile cancelled once its apply has begun finishes the apply.
func TestReconcileFinishesAnApplyBegun(t *testing.T) {
	e := openExample(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	e.store = cancelOnLock{Store: e.store, cancel: cancel}
	r, err := e.Reconcile(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Applied || r.Serial != 1 {
		t.Errorf("applied %v at serial %d; want applied at 1", r.Applied, r.Serial)
	}
	live, err := e.Live(context.Background())
	if err != nil || live.Serial != 1 || len(live.Products) == 0 {
		t.Errorf("live catalog at serial %v with %d products (%v); want the apply written", live.Serial, len(live.Products), err)
	}
}

// A reconcile cancelled before its apply writes nothing.
func TestReconcileCancelledBeforeApply(t *testing.T) {
	e := openExample(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := e.Reconcile(ctx, true); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v; want context.Canceled", err)
	}
	live, err := e.Live(context.Background())
	if err != nil || live.Serial != 0 {
		t.Errorf("live catalog at serial %d (%v); want nothing written", live.Serial, err)
	}
}
