package compile_test

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/meshc-dev/meshc/pkg/catalog"
	"github.com/meshc-dev/meshc/pkg/compile"
	"github.com/meshc-dev/meshc/pkg/config"
	"github.com/meshc-dev/meshc/pkg/source"
)

// compileDir compiles the mesh at dir with cache c.
func compileDir(t *testing.T, dir string, c *compile.Cache) *compile.Result {
	t.Helper()
	cfg, err := config.Load(filepath.Join(dir, "mesh.cue"))
	if err != nil {
		t.Fatal(err)
	}
	s, ds, err := compile.LoadSchema(cfg)
	if err != nil || len(ds) > 0 {
		t.Fatalf("schema: %v %v", err, ds)
	}
	domains, err := source.Fetch(context.Background(), cfg, source.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return compile.Compile(context.Background(), s, domains, compile.Options{Cache: c})
}

func stats(c *compile.Cache) [2]int64 {
	h, m := c.Stats()
	return [2]int64{h, m}
}

// products returns the mesh's products without provenance, for comparing
// runs.
func products(m *catalog.Mesh) map[string]catalog.Product {
	out := map[string]catalog.Product{}
	for id, p := range m.Products {
		out[id] = *p
	}
	return out
}

func TestCache(t *testing.T) {
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS("../../catalog-example")); err != nil {
		t.Fatal(err)
	}
	os.RemoveAll(filepath.Join(dir, ".meshc"))
	// A fault in one domain: its diagnostics must come back from the cache
	// exactly, positions included.
	bad := filepath.Join(dir, "domains/payments/zz_bad.cue")
	if err := os.WriteFile(bad, []byte("package payments\n\nproducts: refunds: status: \"gone\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cacheDir := t.TempDir()

	c1 := &compile.Cache{Dir: cacheDir}
	cold := compileDir(t, dir, c1)
	if got := stats(c1); got != [2]int64{0, 5} {
		t.Fatalf("cold run: hits, misses = %v, want 0, 5", got)
	}
	if len(cold.Diagnostics) == 0 || !cold.Invalid["payments.refunds"] || cold.Failed["payments"] {
		t.Fatalf("the planted fault is not reported: %v", cold.Diagnostics)
	}

	c2 := &compile.Cache{Dir: cacheDir}
	warm := compileDir(t, dir, c2)
	if got := stats(c2); got != [2]int64{5, 0} {
		t.Fatalf("warm run: hits, misses = %v, want 5, 0", got)
	}
	if !reflect.DeepEqual(warm.Diagnostics, cold.Diagnostics) || !reflect.DeepEqual(warm.Invalid, cold.Invalid) {
		t.Errorf("cached diagnostics differ:\n cold %v\n warm %v", cold.Diagnostics, warm.Diagnostics)
	}
	if !reflect.DeepEqual(products(warm.Mesh), products(cold.Mesh)) {
		t.Error("cached products differ from evaluated ones")
	}
	if p := warm.Mesh.Products["orders.orders"]; p.Source == nil || p.Source.Path != "domains/orders" {
		t.Errorf("cached product has no provenance: %+v", p.Source)
	}
	if pos := warm.Mesh.Locate("orders", "products.orders.outputPorts.orders"); !strings.HasPrefix(pos.String(), "domains/orders/orders.cue:") {
		t.Errorf("positions of a cached domain: %q", pos)
	}

	// A changed file is a miss for its domain only.
	if err := os.Remove(bad); err != nil {
		t.Fatal(err)
	}
	c3 := &compile.Cache{Dir: cacheDir}
	fixed := compileDir(t, dir, c3)
	if got := stats(c3); got != [2]int64{4, 1} {
		t.Fatalf("after a change to payments: hits, misses = %v, want 4, 1", got)
	}
	if len(fixed.Diagnostics) != 0 {
		t.Errorf("fixed mesh still has diagnostics: %v", fixed.Diagnostics)
	}

	// A policy change is a miss for every domain.
	pol := filepath.Join(dir, "policies/acme.cue")
	b, err := os.ReadFile(pol)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pol, append(b, "\n// a comment is a change too\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	c4 := &compile.Cache{Dir: cacheDir}
	compileDir(t, dir, c4)
	if got := stats(c4); got != [2]int64{0, 5} {
		t.Fatalf("after a policy change: hits, misses = %v, want 0, 5", got)
	}
}

// TestCacheUnwritable: a cache that cannot be written is no cache, and no
// error.
func TestCacheUnwritable(t *testing.T) {
	file := filepath.Join(t.TempDir(), "not-a-dir")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	c := &compile.Cache{Dir: filepath.Join(file, "compile")}
	r := compileDir(t, "../../catalog-example", c)
	if len(r.Diagnostics) != 0 || len(r.Mesh.Products) != 12 {
		t.Errorf("diagnostics %v, %d products", r.Diagnostics, len(r.Mesh.Products))
	}
	if got := stats(c); got != [2]int64{0, 5} {
		t.Errorf("hits, misses = %v, want 0, 5", got)
	}
}
