package postgres

import (
	"fmt"
	"maps"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/meshc-dev/meshc/internal/pgtest"
	"github.com/meshc-dev/meshc/pkg/catalog"
	"github.com/meshc-dev/meshc/pkg/state"
)

const (
	benchDomains  = 100
	benchProducts = 100 // per domain: 10,000 in all
)

// benchProduct is a product of domain d of a realistic size (about 1 KB
// of JSON: two output ports, eight fields, an input).
func benchProduct(d, i int, version string) *catalog.Product {
	domain := fmt.Sprintf("domain%03d", d)
	name := fmt.Sprintf("product%03d", i)
	fields := map[string]catalog.Field{}
	for f := range 8 {
		fields[fmt.Sprintf("field_%d", f)] = catalog.Field{Type: "string", Required: f%2 == 0, Description: "A field of the product, as its team documented it."}
	}
	return &catalog.Product{
		ID: domain + "." + name, Name: name, Domain: domain, Version: version,
		Title: "Product " + name, Description: "A synthetic product for the benchmark of the postgres backend.",
		Status: catalog.StatusActive, Classification: "internal", Tags: []string{"bench", domain},
		InputPorts: map[string]catalog.InputPort{"upstream": {Product: fmt.Sprintf("domain%03d.product000", (d+1)%benchDomains), Port: "events"}},
		OutputPorts: map[string]catalog.OutputPort{
			"events": {Type: "topic", Location: "kafka://" + domain + "/" + name, Access: catalog.Access{Visibility: catalog.VisibilityPublic}, Schema: fields},
			"table":  {Type: "table", Location: "warehouse." + domain + "." + name, Access: catalog.Access{Visibility: catalog.VisibilityDomain}, Schema: fields},
		},
	}
}

// benchCatalog is a catalog of benchDomains domains of benchProducts
// products each.
func benchCatalog() *state.Catalog {
	cat := state.New()
	for d := range benchDomains {
		name := fmt.Sprintf("domain%03d", d)
		cat.Domains[name] = &catalog.Domain{Name: name, Title: "Domain " + name, Team: catalog.Team{Name: name, GitHub: "@acme/" + name}, Source: catalog.Source{Path: "domains/" + name, Commit: "0000000"}}
		for i := range benchProducts {
			p := benchProduct(d, i, "1.0.0")
			cat.Products[p.ID] = p
			cat.Meta[p.ID] = state.ProductMeta{CreatedSerial: 1, UpdatedSerial: 1}
		}
	}
	return cat
}

// BenchmarkReadPart measures what a check of one domain reads of a
// catalog of 10,000 products: Store.ReadPart of 60 of them (chosen from
// the index as a check chooses: by domain and what they read), against
// Store.Read of the whole catalog.
func BenchmarkReadPart(b *testing.B) {
	c := pgtest.Start(b)
	be := newBackend(b, c, c.NewDatabase(b, ""))
	st := state.NewStore(be)
	mustWrite(b, st, benchCatalog(), 0)
	// domain007's first 50 products, and the 10 first of domain006 that
	// read domain007.product000.
	choose := func(idx *state.Index) []string {
		var ids []string
		for id, e := range idx.Products {
			if e.Domain == "domain007" && id < "domain007.product050" ||
				e.Domain == "domain006" && id < "domain006.product010" && slices.Contains(e.Reads, "domain007.product000") {
				ids = append(ids, id)
			}
		}
		return ids
	}
	b.Run("Part", func(b *testing.B) {
		for b.Loop() {
			part, err := st.ReadPart(b.Context(), choose)
			if err != nil {
				b.Fatal(err)
			}
			if idx := part.Part(); len(part.Products) != 60 || idx == nil || len(idx.Products) != benchDomains*benchProducts {
				b.Fatalf("ReadPart read %d products and an index %v; want 60 of 10,000", len(part.Products), idx != nil)
			}
		}
	})
	b.Run("Whole", func(b *testing.B) {
		for b.Loop() {
			whole, err := st.Read(b.Context())
			if err != nil {
				b.Fatal(err)
			}
			if len(whole.Products) != benchDomains*benchProducts {
				b.Fatalf("Read read %d products; want 10,000", len(whole.Products))
			}
		}
	})
}

// BenchmarkMergeApply measures the apply a merge to one domain makes
// against a catalog of 10,000 products, as the engine runs it: Lock, Read,
// the plan's changes (ten products updated, one added, one removed, a
// history entry), Write (which reads again under the lock), Unlock.
func BenchmarkMergeApply(b *testing.B) {
	c := pgtest.Start(b)
	be := newBackend(b, c, c.NewDatabase(b, ""))
	st := state.NewStore(be)
	cat := benchCatalog()
	lock, err := st.Lock(b.Context(), "bench")
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	if err := lock.Write(b.Context(), cat, 0); err != nil {
		b.Fatal(err)
	}
	b.Logf("first write of %d products: %d rows in %v", len(cat.Products), be.rows.Load(), time.Since(start).Round(time.Millisecond))
	lock.Unlock()

	var rows int64
	var peak uint64
	b.ResetTimer()
	for n := range b.N {
		lock, err := st.Lock(b.Context(), "bench")
		if err != nil {
			b.Fatal(err)
		}
		live, err := st.Read(b.Context())
		if err != nil {
			b.Fatal(err)
		}
		next := *live
		next.Products, next.Meta = maps.Clone(live.Products), maps.Clone(live.Meta)
		d := n % benchDomains
		serial := live.Serial + 1
		for i := range 10 {
			p := benchProduct(d, i, fmt.Sprintf("1.%d.0", n+1))
			next.Products[p.ID] = p
			next.Meta[p.ID] = state.ProductMeta{CreatedSerial: 1, UpdatedSerial: serial}
		}
		added := benchProduct(d, benchProducts+n, "0.1.0")
		next.Products[added.ID] = added
		next.Meta[added.ID] = state.ProductMeta{CreatedSerial: serial, UpdatedSerial: serial}
		gone := fmt.Sprintf("domain%03d.product%03d", d, benchProducts-1-n/benchDomains)
		delete(next.Products, gone)
		delete(next.Meta, gone)
		next.History = append(next.History, state.Entry{Serial: serial, Time: time.Now(), User: "bench", Summary: state.Summary{Create: 1, Update: 10, Delete: 1}})
		if err := lock.Write(b.Context(), &next, live.Serial); err != nil {
			b.Fatal(err)
		}
		if err := lock.Unlock(); err != nil {
			b.Fatal(err)
		}
		rows += be.rows.Load()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		peak = max(peak, ms.HeapInuse)
	}
	b.ReportMetric(float64(rows)/float64(b.N), "rows/op")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
}
