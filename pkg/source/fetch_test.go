package source_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/meshc-dev/meshc/internal/gittest"
	"github.com/meshc-dev/meshc/pkg/config"
	"github.com/meshc-dev/meshc/pkg/source"
)

func TestFetchEachSharedRepo(t *testing.T) {
	r := gittest.New(t)
	v1 := r.Commit("v1", map[string]string{
		"mesh/orders.cue":    "package orders\n// orders v1\n",
		"payments/pay.cue":   "package payments\n// payments v1\n",
		"marketing/mkt.cue":  "package marketing\n// marketing v1\n",
		"customers/cust.cue": "package customers\n// customers v1\n",
	})
	r.Tag("v1", v1)
	r.Checkout("dev")
	v2 := r.Commit("v2", map[string]string{"payments/pay.cue": "package payments\n// payments v2\n"})
	r.Checkout("main")
	local := t.TempDir()
	if err := os.WriteFile(filepath.Join(local, "finance.cue"), []byte("package finance\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := &config.Config{Root: filepath.Dir(local), Domains: map[string]*config.Domain{
		"orders":    {Name: "orders", Git: r.URL(), Ref: "main", Path: "mesh"},
		"payments":  {Name: "payments", Git: r.URL(), Ref: "dev", Path: "payments"},
		"marketing": {Name: "marketing", Git: r.URL(), Ref: "v1", Path: "marketing"},
		"customers": {Name: "customers", Git: r.URL(), Ref: v1, Path: "customers"},
		"finance":   {Name: "finance", Path: filepath.Base(local)},
		"broken":    {Name: "broken", Git: r.URL(), Ref: "nope", Path: "mesh"},
		"gone":      {Name: "gone", Git: "file:///nonexistent", Ref: "main"},
	}}
	o := source.Options{CacheDir: t.TempDir(), Getenv: func(string) string { return "" }}
	domains, failed := source.FetchEach(context.Background(), cfg, o)
	var names []string
	for _, d := range domains {
		names = append(names, d.Name)
	}
	if want := []string{"customers", "finance", "marketing", "orders", "payments"}; !slices.Equal(names, want) {
		t.Errorf("domains %v; want %v", names, want)
	}
	if len(failed) != 2 || failed["broken"] == nil || failed["gone"] == nil {
		t.Errorf("failed = %v; want broken and gone", failed)
	}
	commits := map[string]string{"customers": v1, "marketing": v1, "orders": v1, "payments": v2}
	var wg sync.WaitGroup
	for _, d := range domains {
		if want := commits[d.Name]; d.Source.Commit != want {
			t.Errorf("%s: commit %s; want %s", d.Name, d.Source.Commit, want)
		}
		// The FSs share one clone: read them all at once.
		wg.Go(func() {
			for range 20 {
				if _, err := fs.ReadDir(d.FS, "."); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	entries, _ := os.ReadDir(o.CacheDir)
	if len(entries) != 2 { // the shared repository, and the missing one
		t.Errorf("cache holds %d clones; want 2", len(entries))
	}

	// Fetch joins every error, in name order, and still returns the rest.
	got, err := source.Fetch(context.Background(), cfg, o)
	if len(got) != 5 || err == nil {
		t.Fatalf("Fetch = %d domains, %v", len(got), err)
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "domain broken") || !strings.Contains(lines[1], "domain gone") {
		t.Errorf("Fetch error:\n%v", err)
	}

	// Only some domains.
	o.Only = map[string]bool{"payments": true, "typo": true}
	domains, failed = source.FetchEach(context.Background(), cfg, o)
	if len(domains) != 1 || domains[0].Name != "payments" || len(failed) != 1 || failed["typo"] == nil {
		t.Errorf("Only: %d domains, failed %v", len(domains), failed)
	}
}
