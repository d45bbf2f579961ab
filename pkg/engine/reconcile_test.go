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

// TestReconcileSkipsDomainThatFailsToEvaluate: in reconcile --apply, a
// domain whose CUE does not evaluate is left as it is live and reported,
// and the drift of every other domain is repaired.
func TestReconcileSkipsDomainThatFailsToEvaluate(t *testing.T) {
	e := openExample(t)
	ctx := context.Background()
	if r, err := e.Reconcile(ctx, true); err != nil || !r.Applied {
		t.Fatalf("first reconcile: %+v, %v", r, err)
	}
	root := e.cfg.Root
	// payments breaks (a reference that does not resolve), orders drifts.
	if err := os.WriteFile(filepath.Join(root, "domains/payments/broken.cue"), []byte("package payments\n\nproducts: nowhere.title\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A hand edit of the live catalog: drift in orders.
	lock, err := e.store.Lock(ctx, "test")
	if err != nil {
		t.Fatal(err)
	}
	live, err := lock.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := live.Products["orders.orders"].Title
	live.Products["orders.orders"].Title = "edited by hand"
	if err := lock.Write(ctx, live, live.Serial); err != nil {
		t.Fatal(err)
	}
	lock.Unlock()
	before, _ := e.Live(ctx)
	r, err := e.Reconcile(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Applied || len(r.Failed) != 1 || r.Failed[0] != "payments" {
		t.Fatalf("applied %v, failed %v, diagnostics %v; want orders repaired and payments skipped", r.Applied, r.Failed, r.Plan.Diagnostics)
	}
	if r.Plan.Diagnostics.HasErrors() {
		t.Errorf("the skipped domain's errors still block: %v", r.Plan.Diagnostics)
	}
	after, _ := e.Live(ctx)
	if got := after.Products["orders.orders"].Title; got != want {
		t.Errorf("orders.orders title %q; want the repair to restore %q", got, want)
	}
	for id, p := range before.Products {
		if p.Domain == "payments" && after.Products[id] == nil {
			t.Errorf("payments product %s was deleted", id)
		}
	}
}
