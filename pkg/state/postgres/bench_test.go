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
// against a catalog of 10,000 products, as the engine runs it, with a
// delta of 1, 12 or 50 products:
//
//   - Part: Lock, Lock.ReadPart of 60 products (the domain's first 50 and
//     10 readers, chosen from the index), the plan's changes, Write of the
//     part (ReplacePart: the delta's rows), Unlock: apply --domain.
//   - Whole: Lock, Read, the same changes, Write (which reads the whole
//     catalog again under the lock and writes the rows that differ),
//     Unlock: a plain apply.
//
// The changes: delta-1 updates one product; delta-12 updates ten, adds
// one and removes one, and delta-50 updates 48, adds one and removes one;
// each with its meta and a history entry. write-ms/op is Write's share.
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

	op := 0 // across runs: each op changes domain op%benchDomains
	for _, path := range []string{"Part", "Whole"} {
		for _, delta := range []int{1, 12, 50} {
			b.Run(fmt.Sprintf("%s/delta-%d", path, delta), func(b *testing.B) {
				var rows int64
				var peak uint64
				var writing time.Duration
				runtime.GC()
				for b.Loop() {
					op++
					d := op % benchDomains
					lock, err := st.Lock(b.Context(), "bench")
					if err != nil {
						b.Fatal(err)
					}
					var live *state.Catalog
					if path == "Part" {
						live, err = lock.ReadPart(b.Context(), mergeChoose(d))
						if err == nil && (live.Part() == nil || len(live.Products) > 60) {
							err = fmt.Errorf("ReadPart under the lock read %d products, index %v", len(live.Products), live.Part() != nil)
						}
					} else {
						live, err = st.Read(b.Context())
					}
					if err != nil {
						b.Fatal(err)
					}
					next := mergeChange(live, d, op, delta)
					t := time.Now()
					if err := lock.Write(b.Context(), next, live.Serial); err != nil {
						b.Fatal(err)
					}
					writing += time.Since(t)
					if err := lock.Unlock(); err != nil {
						b.Fatal(err)
					}
					if be.wrotePart.Load() != (path == "Part") {
						b.Fatalf("%s path: written as a part %v", path, be.wrotePart.Load())
					}
					rows += be.rows.Load()
					var ms runtime.MemStats
					runtime.ReadMemStats(&ms)
					peak = max(peak, ms.HeapInuse)
				}
				b.ReportMetric(float64(rows)/float64(b.N), "rows/op")
				b.ReportMetric(float64(writing)/float64(time.Millisecond)/float64(b.N), "write-ms/op")
				b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
			})
		}
	}
}

// mergeChoose chooses what a check of domain d reads: its first 50
// products (fewer once merges removed some) and the 10 first of the
// domain before it, which read d's product000.
func mergeChoose(d int) state.Choose {
	domain, readers := fmt.Sprintf("domain%03d", d), fmt.Sprintf("domain%03d", (d+benchDomains-1)%benchDomains)
	first := fmt.Sprintf("domain%03d.product000", d)
	return func(idx *state.Index) []string {
		var ids []string
		for id, e := range idx.Products {
			if e.Domain == domain && id < domain+".product050" ||
				e.Domain == readers && id < readers+".product010" && slices.Contains(e.Reads, first) {
				ids = append(ids, id)
			}
		}
		return ids
	}
}

// mergeChange returns live (whole or a part) changed as a merge to domain
// d changes it, in op: delta products of d among its first 50 changed
// (delta-2 updated, one added, one removed; or the one updated), their
// meta, and a history entry.
func mergeChange(live *state.Catalog, d, op, delta int) *state.Catalog {
	next := *live
	next.Products, next.Meta = maps.Clone(live.Products), maps.Clone(live.Meta)
	next.History = slices.Clone(live.History)
	domain := fmt.Sprintf("domain%03d", d)
	var ids []string
	for id, p := range live.Products {
		if p.Domain == domain && id < domain+".product050" {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	serial := live.Serial + 1
	update, sum := delta, state.Summary{Update: delta}
	if delta > 1 {
		update, sum = delta-2, state.Summary{Create: 1, Update: delta - 2, Delete: 1}
		added := benchProduct(d, benchProducts+op, "0.1.0")
		next.Products[added.ID] = added
		next.Meta[added.ID] = state.ProductMeta{CreatedSerial: serial, UpdatedSerial: serial}
		gone := ids[len(ids)-1]
		delete(next.Products, gone)
		delete(next.Meta, gone)
	}
	for _, id := range ids[:min(update, len(ids)-1)] {
		p := *live.Products[id]
		p.Version = fmt.Sprintf("1.%d.0", op)
		next.Products[id] = &p
		next.Meta[id] = state.ProductMeta{CreatedSerial: live.Meta[id].CreatedSerial, UpdatedSerial: serial}
	}
	next.History = append(next.History, state.Entry{Serial: serial, Time: time.Now(), User: "bench", Summary: sum})
	if live.Part() != nil {
		next.KeepPart(live)
	}
	return &next
}
