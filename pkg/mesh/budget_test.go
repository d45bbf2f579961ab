package mesh_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/meshc-dev/meshc/internal/fixture"
	"github.com/meshc-dev/meshc/pkg/config"
	"github.com/meshc-dev/meshc/pkg/mesh"
)

// hiddenLoop is CUE that evaluates for minutes: a large comprehension
// under a hidden field, which nothing reads but the evaluator computes.
const hiddenLoop = "package orders\n\nimport \"list\"\n\n_stall: [for i in list.Range(0, 100000, 1) {i}]\n_more: [for x in _stall for y in _stall if x == y {x}]\n"

// doubling is CUE whose memory grows as 2^32.
const doubling = "package orders\n\n" +
	"_s0: \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"\n" +
	"_s1: _s0 + _s0\n_s2: _s1 + _s1\n_s3: _s2 + _s2\n_s4: _s3 + _s3\n_s5: _s4 + _s4\n_s6: _s5 + _s5\n_s7: _s6 + _s6\n_s8: _s7 + _s7\n" +
	"_s9: _s8 + _s8\n_s10: _s9 + _s9\n_s11: _s10 + _s10\n_s12: _s11 + _s11\n_s13: _s12 + _s12\n_s14: _s13 + _s13\n_s15: _s14 + _s14\n" +
	"_s16: _s15 + _s15\n_s17: _s16 + _s16\n_s18: _s17 + _s17\n_s19: _s18 + _s18\n_s20: _s19 + _s19\n_s21: _s20 + _s20\n_s22: _s21 + _s21\n" +
	"_s23: _s22 + _s22\n_s24: _s23 + _s23\n_s25: _s24 + _s24\n_s26: _s25 + _s25\n_s27: _s26 + _s26\n_s28: _s27 + _s27\n_s29: _s28 + _s28\n" +
	"_s30: _s29 + _s29\n_s31: _s30 + _s30\n_s32: _s31 + _s31\n"

// overBudget lays the base mesh with hostile CUE in orders and a budget.
func overBudget(t *testing.T, src, budget string) string {
	t.Helper()
	dir := fixture.Copy(t, "testdata/base")
	fixture.Write(t, dir, "domains/orders/hostile.cue", []byte(src))
	cfg := filepath.Join(dir, "mesh.cue")
	b, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s := strings.Replace(string(b), `platform: {name: "acme", policies: "./policies"}`, `platform: {name: "acme", policies: "./policies", budget: `+budget+`}`, 1)
	if s == string(b) {
		t.Fatal("no platform line to put a budget on")
	}
	fixture.Write(t, dir, "mesh.cue", []byte(s))
	return cfg
}

// TestBudgetTime: a domain that evaluates past its time budget is one
// source error naming it and the budget; the other domain is compiled.
func TestBudgetTime(t *testing.T) {
	res := loadWithin(t, overBudget(t, hiddenLoop, `{time: "20s"}`))
	checkOverBudget(t, res, "ran out of its time budget, 20s (platform.budget.time in mesh.cue)")
}

// TestBudgetMemory: a domain whose evaluation grows past its memory budget
// is stopped, likewise.
func TestBudgetMemory(t *testing.T) {
	res := loadWithin(t, overBudget(t, doubling, `{time: "100s", memoryMiB: 1024}`))
	checkOverBudget(t, res, "ran out of its memory budget, 1024 MiB (platform.budget.memoryMiB in mesh.cue)")
}

func checkOverBudget(t *testing.T, res *mesh.Result, want string) {
	t.Helper()
	if len(res.Diagnostics) != 1 {
		t.Fatalf("diagnostics %v; want the one budget error", res.Diagnostics)
	}
	d := res.Diagnostics[0]
	if d.Code != "source" || d.Domain != "orders" || !strings.Contains(d.Message, "domain orders: its evaluation "+want) {
		t.Errorf("diagnostic %+v; want a source error of orders saying %q", d, want)
	}
	if !res.Failed["orders"] {
		t.Error("orders is not marked failed")
	}
	if len(res.Mesh.Domains["customers"].Name) == 0 || res.Mesh.Products["customers.customer_profiles"] == nil {
		t.Error("the other domain was not compiled")
	}
}

// loadWithin loads the mesh at cfgPath, failing if it takes minutes.
func loadWithin(t *testing.T, cfgPath string) *mesh.Result {
	t.Helper()
	done := make(chan *mesh.Result, 1)
	go func() { done <- load(t, cfgPath) }()
	select {
	case r := <-done:
		return r
	case <-time.After(2 * time.Minute):
		t.Fatal("the load was not stopped by the budget")
		return nil
	}
}

// TestCancelStopsEvaluation: cancelling the load (SIGTERM) stops a long
// evaluation at once: Load returns the context's error.
func TestCancelStopsEvaluation(t *testing.T) {
	cfgPath := overBudget(t, hiddenLoop, `{time: "10m"}`)
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(500*time.Millisecond, cancel)
	done := make(chan error, 1)
	go func() {
		_, err := mesh.Load(ctx, cfg, mesh.Options{})
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Load = %v; want it cancelled", err)
		}
	case <-time.After(2 * time.Minute):
		t.Fatal("cancelling did not stop the evaluation")
	}
}
