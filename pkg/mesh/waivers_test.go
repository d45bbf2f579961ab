package mesh_test

import (
	"maps"
	"path/filepath"
	"slices"
	"testing"

	"github.com/meshc-dev/meshc/internal/fixture"
	"github.com/meshc-dev/meshc/pkg/catalog"
)

// TestWaiverScope checks what a waiver may name in a real mesh: declared
// products, valid or failing the schema, and live ones are known; a domain
// that could not be evaluated is open; without a live catalog every domain
// is open.
func TestWaiverScope(t *testing.T) {
	dir := fixture.Copy(t, "testdata/base")
	fixture.Write(t, dir, "domains/orders/broken.cue", []byte("package orders\n\nproducts: refunds: {version: \"nope\"}\n"))
	fixture.Write(t, dir, "domains/empty/README.md", []byte("Nothing here yet.\n"))
	fixture.Write(t, dir, "mesh.cue", []byte(`platform: {name: "acme", policies: "./policies"}
domains: {
	customers: {path: "./domains/customers"}
	orders:    {path: "./domains/orders"}
	empty:     {path: "./domains/empty"}
}
`))
	res := load(t, filepath.Join(dir, "mesh.cue"))

	s := res.WaiverScope(map[string]*catalog.Product{"orders.legacy": {}})
	if want := []string{"customers", "empty", "orders"}; !slices.Equal(s.Domains, want) {
		t.Errorf("domains %v, want %v", s.Domains, want)
	}
	want := []string{"customers.customer_profiles", "orders.legacy", "orders.order_events", "orders.refunds"}
	if got := slices.Sorted(maps.Keys(s.Products)); !slices.Equal(got, want) {
		t.Errorf("known products %v, want %v (declared, invalid and live)", got, want)
	}
	if got := slices.Sorted(maps.Keys(s.Open)); !slices.Equal(got, []string{"empty"}) {
		t.Errorf("open domains %v, want [empty] (the one that failed)", got)
	}

	if s := res.WaiverScope(map[string]*catalog.Product{}); len(s.Open) != 1 {
		t.Errorf("an empty live catalog is a live catalog read: open %v, want [empty]", s.Open)
	}
	if s := res.WaiverScope(nil); len(s.Open) != 3 {
		t.Errorf("no live catalog read: open %v, want every domain", s.Open)
	}
}
