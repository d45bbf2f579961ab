package site

import (
	"strings"
	"testing"

	"github.com/meshc-dev/meshc/internal/meshgen"
	"github.com/meshc-dev/meshc/pkg/catalog"
)

// TestMeshLineageScales checks the three forms of the mesh's lineage page:
// every product, every domain, and a table when even the domains are too
// many to draw.
func TestMeshLineageScales(t *testing.T) {
	for _, tc := range []struct {
		domains, products int
		want              string
	}{
		{3, 4, `class="node st-`},
		{8, 40, `class="node domain"`},
		{meshDomains + 1, 5, `<table class="domain-deps">`},
	} {
		m := meshgen.Mesh(meshgen.Options{Domains: tc.domains, ProductsPerDomain: tc.products, Seed: 3})
		s, err := Build(m, Options{})
		if err != nil {
			t.Fatal(err)
		}
		page, _ := s.File("lineage.html")
		if !strings.Contains(string(page), tc.want) {
			t.Errorf("%d domains of %d products: lineage.html lacks %s", tc.domains, tc.products, tc.want)
		}
		if strings.Count(string(page), "<a href=") < tc.domains {
			t.Errorf("%d domains of %d products: lineage.html links to too few pages", tc.domains, tc.products)
		}
	}
}

// TestLifecycleShows checks that a deprecated and a retired product look
// different in every drawing that shows them, and that their pages say so.
func TestLifecycleShows(t *testing.T) {
	m := meshgen.Mesh(meshgen.Options{Domains: 2, ProductsPerDomain: 3, InputsPerProduct: -1, Seed: 1})
	ids := m.ProductIDs()
	old, gone, reader := m.Products[ids[0]], m.Products[ids[1]], m.Products[ids[len(ids)-1]]
	old.Status, gone.Status = "deprecated", "retired"
	old.Deprecation = &catalog.Deprecation{Sunset: "2030-01-31", Reason: "Replaced.", ReplacedBy: reader.ID}
	reader.InputPorts = map[string]catalog.InputPort{"a": {Product: old.ID, Port: "x"}, "b": {Product: gone.ID, Port: "x"}}
	s, err := Build(m, Options{})
	if err != nil {
		t.Fatal(err)
	}
	page := func(p string) string {
		b, ok := s.File(p)
		if !ok {
			t.Fatalf("no %s", p)
		}
		return string(b)
	}
	for _, p := range []string{"lineage.html", "products/" + reader.ID + ".html"} {
		for _, class := range []string{`class="node st-deprecated"`, `class="node st-retired"`, `class="node st-active focus"`} {
			if p == "lineage.html" && strings.Contains(class, "focus") {
				continue
			}
			if !strings.Contains(page(p), class) {
				t.Errorf("%s has no %s", p, class)
			}
		}
	}
	if p := page("products/" + old.ID + ".html"); !strings.Contains(p, "Deprecated: sunset 2030-01-31.") || !strings.Contains(p, ">"+reader.ID+"</a> instead") {
		t.Errorf("the deprecated product's page does not say so")
	}
	if p := page("products/" + gone.ID + ".html"); !strings.Contains(p, `<div class="banner retired" id="lifecycle"><strong>Retired.</strong>`) {
		t.Errorf("the retired product's page does not say so")
	}
}

func FuzzSlug(f *testing.F) {
	for _, s := range []string{"orders.orders", "../x", "", ".a", "a/b", "\x00", strings.Repeat("é", 100)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := slug(s)
		if got == "" || len(got) > 120 || strings.HasPrefix(got, ".") || got != slug(s) {
			t.Fatalf("slug(%q) = %q", s, got)
		}
		for _, c := range []byte(got) {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("._-~", c) >= 0) {
				t.Fatalf("slug(%q) = %q holds %q", s, got, c)
			}
		}
	})
}
