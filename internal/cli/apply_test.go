package cli

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/meshc-dev/meshc/internal/fixture"
	"github.com/meshc-dev/meshc/pkg/state/file"
)

// example is a fresh copy of catalog-example, without a live catalog.
func example(t *testing.T) string { return fixture.Example(t, "../..") }

func run(args ...string) (int, string) {
	var out bytes.Buffer
	code := Run(context.Background(), args, &Env{Stdout: &out, Stderr: &out, Getenv: func(k string) string {
		if k == "MESHC_USER" {
			return "test"
		}
		return ""
	}})
	return code, out.String()
}

// TestConcurrentAppliesLoseNothing runs applies of the same change at the
// same time: exactly one lands, the others are refused (locked or stale),
// and the live catalog records one apply.
func TestConcurrentAppliesLoseNothing(t *testing.T) {
	cfg := example(t)
	const n = 4
	codes := make([]int, n)
	outs := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { codes[i], outs[i] = run("apply", "--auto-approve", "--config", cfg) })
	}
	wg.Wait()
	landed := 0
	for i, c := range codes {
		switch {
		case c == ExitOK && strings.Contains(outs[i], "Apply complete"):
			landed++
		case c == ExitOK && strings.Contains(outs[i], "No changes"): // planned after the winner
		case c == ExitInvalid && strings.Contains(outs[i], "stale-plan"):
		case c == ExitFailure && strings.Contains(outs[i], "locked"):
		default:
			t.Errorf("apply %d: exit %d\n%s", i, c, outs[i])
		}
	}
	if landed != 1 {
		t.Fatalf("%d applies landed, want exactly 1:\n%v", landed, outs)
	}
	live, err := file.Open(filepath.Join(filepath.Dir(cfg), ".meshc/catalog.json")).Read(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if live.Serial != 1 || len(live.History) != 1 || len(live.Products) != 12 {
		t.Errorf("live catalog: serial %d, %d history entries, %d products; want 1, 1, 12", live.Serial, len(live.History), len(live.Products))
	}
}

// TestSavedPlanAppliesOnce applies one saved plan from two processes at
// once: the second is refused whichever way it loses.
func TestSavedPlanAppliesOnce(t *testing.T) {
	cfg := example(t)
	planFile := filepath.Join(t.TempDir(), "plan.json")
	if code, out := run("plan", "--config", cfg, "-out", planFile); code != ExitOK {
		t.Fatalf("plan: exit %d\n%s", code, out)
	}
	var wg sync.WaitGroup
	codes := make([]int, 2)
	for i := range 2 {
		wg.Go(func() { codes[i], _ = run("apply", "--config", cfg, planFile) })
	}
	wg.Wait()
	if (codes[0] == ExitOK) == (codes[1] == ExitOK) {
		t.Fatalf("exit codes %v: want exactly one success", codes)
	}
	if code, out := run("apply", "--config", cfg, planFile); code != ExitInvalid {
		t.Errorf("third apply of the same plan: exit %d, want %d (stale-plan)\n%s", code, ExitInvalid, out)
	}
}
