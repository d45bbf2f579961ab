package site

import (
	"strings"
	"testing"

	"github.com/meshc-dev/meshc/internal/meshgen"
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
