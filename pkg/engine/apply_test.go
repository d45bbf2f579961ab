package engine

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/meshc-dev/meshc/internal/fixture"
	"github.com/meshc-dev/meshc/pkg/diag"
)

// example is a fresh copy of catalog-example, without a live catalog.
func example(t *testing.T) string { return fixture.Example(t, "../..") }

// checkout copies domain's directory of the mesh at cfg, as a pull
// request's checkout, and edits file in it: old becomes new.
func checkout(t *testing.T, cfg, domain, file, old, new string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), domain)
	if err := os.CopyFS(dir, os.DirFS(filepath.Join(filepath.Dir(cfg), "domains", domain))); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, file)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), old) {
		t.Fatalf("%s has no %q", file, old)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(string(b), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func open(t *testing.T, cfg string, local map[string]string) *Engine {
	t.Helper()
	e, err := Open(Options{Config: cfg, Local: local, Actor: "test", Now: func() time.Time { return time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func mustApply(t *testing.T, e *Engine) {
	t.Helper()
	ctx := context.Background()
	pl, err := e.Plan(ctx)
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.Apply(ctx, pl)
	if err != nil || !res.Applied {
		t.Fatalf("apply: %v, %+v", err, res)
	}
}

// TestMergeReplansAgainstOthers makes a merge's plan, lets another
// domain's merge land first, then applies it: it is planned again against
// the newer catalog and lands when still valid, keeping the other's
// change.
func TestMergeReplansAgainstOthers(t *testing.T) {
	ctx := context.Background()
	cfg := example(t)
	mustApply(t, open(t, cfg, nil))

	orders := checkout(t, cfg, "orders", "orders.cue", `version:        "2.0.1"`, `version:        "2.1.0"`)
	a := open(t, cfg, map[string]string{"orders": orders})
	pl, err := a.Plan(ctx)
	if err != nil {
		t.Fatal(err)
	}
	refunds := checkout(t, cfg, "payments", "payments.cue", `version:        "1.1.0"`, `version:        "1.2.0"`)
	mustApply(t, open(t, cfg, map[string]string{"payments": refunds}))

	res, err := a.Apply(ctx, pl)
	if err != nil {
		t.Fatal(err)
	}
	if !res.Applied || !res.Replanned || res.From != 1 || res.Serial != 3 {
		t.Fatalf("apply after another merge: %+v", res)
	}
	live, err := a.Live(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if v := live.Products["payments.refunds"].Version; v != "1.2.0" {
		t.Errorf("the other merge was lost: payments.refunds is at %s", v)
	}
	if v := live.Products["orders.orders"].Version; v != "2.1.0" {
		t.Errorf("orders.orders is at %s, want 2.1.0", v)
	}
}

// TestMergeRefusedWhenNoLongerValid removes a draft product in one merge
// while another merge adds a consumer of it: planned again, the removal
// breaks the new consumer and is refused, saying so; nothing is written.
func TestMergeRefusedWhenNoLongerValid(t *testing.T) {
	ctx := context.Background()
	cfg := example(t)
	mustApply(t, open(t, cfg, nil))

	payments := checkout(t, cfg, "payments", "payments.cue", "products: chargebacks: {", "_gone: {")
	a := open(t, cfg, map[string]string{"payments": payments})
	pl, err := a.Plan(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if pl.Plan.Diagnostics.HasErrors() || pl.Plan.Summary.Delete != 1 {
		t.Fatalf("removing the draft: %d deletes, %v", pl.Plan.Summary.Delete, pl.Plan.Diagnostics)
	}
	finance := checkout(t, cfg, "finance", "finance.cue",
		`refunds: {product: "payments.refunds", port: "refunds",`,
		`chargebacks: {product: "payments.chargebacks", port: "chargebacks"}
		refunds: {product: "payments.refunds", port: "refunds",`)
	mustApply(t, open(t, cfg, map[string]string{"finance": finance}))

	res, err := a.Apply(ctx, pl)
	if err != nil {
		t.Fatal(err)
	}
	if res.Applied || !res.Replanned {
		t.Fatalf("the removal landed over its new consumer: %+v", res)
	}
	if len(res.Diagnostics) != 1 || res.Diagnostics[0].Code != "stale-plan" || !strings.Contains(res.Diagnostics[0].Message, "from serial 1 to 2") {
		t.Errorf("refusal = %v", res.Diagnostics)
	}
	var why diag.Diagnostics
	for _, d := range res.Plan.Diagnostics.Errors() {
		if d.Product == "finance.revenue_daily" {
			why = append(why, d)
		}
	}
	if len(why) == 0 {
		t.Errorf("the replanned errors do not name the new consumer: %v", res.Plan.Diagnostics)
	}
	live, err := a.Live(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if live.Serial != 2 || live.Products["payments.chargebacks"] == nil {
		t.Errorf("live catalog: serial %d, chargebacks %v; want 2 and kept", live.Serial, live.Products["payments.chargebacks"] != nil)
	}
}
