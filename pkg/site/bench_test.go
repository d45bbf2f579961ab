package site_test

import (
	"testing"

	"github.com/meshc-dev/meshc/internal/meshgen"
	"github.com/meshc-dev/meshc/pkg/site"
)

// BenchmarkBuild10k builds the site of a 10,000-product synthetic mesh (200
// domains of 50) in memory, and reports its pages and total size.
func BenchmarkBuild10k(b *testing.B) {
	m := meshgen.Mesh(meshgen.Options{Domains: 200, ProductsPerDomain: 50, Seed: 1})
	var s *site.Site
	for b.Loop() {
		var err error
		if s, err = site.Build(m, site.Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(s.Paths())), "files")
	b.ReportMetric(float64(s.Size())/(1<<20), "MB")
	index, _ := s.File("index.html")
	b.ReportMetric(float64(len(index))/(1<<20), "index-MB")
}
