package git

import (
	"context"
	"maps"
	"slices"
	"testing"

	git "github.com/go-git/go-git/v5"

	"github.com/meshc-dev/meshc/internal/meshgen"
	"github.com/meshc-dev/meshc/pkg/state"
	"github.com/meshc-dev/meshc/pkg/state/statetest"
)

// BenchmarkApply measures one apply's exchanges with the remote: Read,
// Lock, Write, Unlock, with a warm clone.
func BenchmarkApply(b *testing.B) {
	for _, bb := range []struct {
		name   string
		remote func(testing.TB) remote
	}{{"file", fileRemote}, {"daemon", daemonRemote}} {
		b.Run(bb.name, func(b *testing.B) {
			r := bb.remote(b)
			st := state.NewStore(r.open(b, b.TempDir()))
			c := statetest.Sample()
			for b.Loop() {
				live, err := st.Read(b.Context())
				if err != nil {
					b.Fatal(err)
				}
				l, err := st.Lock(b.Context(), "bench")
				if err != nil {
					b.Fatal(err)
				}
				c.Serial, c.Lineage = live.Serial, live.Lineage
				c.History = append(live.History, state.Entry{Serial: live.Serial + 1, User: "bench"})
				if err := l.Write(b.Context(), c, live.Serial); err != nil {
					b.Fatal(err)
				}
				if err := l.Unlock(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// bigCatalog is a catalog of meshgen's 10,000-product mesh (200 domains
// of 50), at serial 0.
func bigCatalog() *state.Catalog {
	m := meshgen.Mesh(meshgen.Options{Domains: 200, ProductsPerDomain: 50, Seed: 1})
	c := state.New()
	c.Domains, c.Products = m.Domains, m.Products
	for id := range m.Products {
		c.Meta[id] = state.ProductMeta{CreatedSerial: 1, UpdatedSerial: 1}
	}
	c.History = []state.Entry{{Serial: 1, User: "bench", Summary: state.Summary{Create: len(m.Products)}}}
	return c
}

// BenchmarkReadPart compares, on a warm clone of a 10,000-product
// catalog (136 MB), a whole Read with ReadParts of one domain's check
// (its products, what they read, their readers) and of 60 products, and
// times ReadPart's steps: listing the remote (the tip is in the clone),
// reading the document's and the index's blobs, and DecodePart.
func BenchmarkReadPart(b *testing.B) {
	r := fileRemote(b)
	l, err := state.NewStore(r.open(b, b.TempDir())).Lock(b.Context(), "bench")
	if err != nil {
		b.Fatal(err)
	}
	big := bigCatalog()
	if err := l.Write(b.Context(), big, 0); err != nil {
		b.Fatal(err)
	}
	if err := l.Unlock(); err != nil {
		b.Fatal(err)
	}
	// The reader's clone, as a CI runner's: warmed by a first read, it
	// fetched the catalog (a pack), and has what it lists.
	be := r.open(b, b.TempDir())
	st := state.NewStore(be)
	domain := slices.Sorted(maps.Keys(big.Domains))[100] // read and read by others
	choose := checkOf(domain)
	part, err := st.ReadPart(b.Context(), choose)
	if err != nil || part.Part() == nil {
		b.Fatalf("ReadPart = %v", err)
	}
	if _, _, ok, err := be.ReadPart(b.Context(), choose); !ok || err != nil {
		b.Fatalf("ReadPart did not read through the index: %v", err)
	}
	b.Logf("the document is %.0f MB, the index %.1f MB; the check reads %d of %d products",
		float64(len(r.raw(DefaultBranch, DefaultPath)))/(1<<20), float64(len(r.raw(DefaultBranch, be.IndexPath())))/(1<<20),
		len(part.Products), len(part.Part().Products))

	b.Run("Read", func(b *testing.B) {
		for b.Loop() {
			if _, err := st.Read(b.Context()); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ReadPartCheck", func(b *testing.B) {
		for b.Loop() {
			if _, err := st.ReadPart(b.Context(), choose); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(len(part.Products)), "products")
	})
	// About 60 products: the domain's own and the first ten it reads.
	sixty := func(idx *state.Index) []string {
		var own, read []string
		for id, e := range idx.Products {
			if e.Domain == domain {
				own = append(own, id)
				read = append(read, e.Reads...)
			}
		}
		read = slices.DeleteFunc(slices.Compact(slices.Sorted(slices.Values(read))), func(id string) bool { return idx.Products[id].Domain == domain })
		return append(own, read[:min(10, len(read))]...)
	}
	b.Run("ReadPart60", func(b *testing.B) {
		var part *state.Catalog
		for b.Loop() {
			if part, err = st.ReadPart(b.Context(), sixty); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(len(part.Products)), "products")
	})
	// ReadPart60's steps.
	var doc, index []byte
	blobs := func() {
		if err := be.with(b.Context(), func(ctx context.Context, repo *git.Repository) error {
			ref, err := repo.Reference(be.tracking(), false)
			if err != nil {
				return err
			}
			if index, _, err = be.fileAt(repo, ref.Hash(), be.IndexPath(), state.MaxIndex); err != nil {
				return err
			}
			doc, _, err = be.docAt(repo, ref.Hash())
			return err
		}); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("steps/tip", func(b *testing.B) {
		for b.Loop() {
			if err := be.with(b.Context(), func(ctx context.Context, repo *git.Repository) error {
				_, err := be.tip(ctx, repo)
				return err
			}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("steps/blobs", func(b *testing.B) {
		for b.Loop() {
			blobs()
		}
	})
	b.Run("steps/DecodePart", func(b *testing.B) {
		if doc == nil {
			blobs()
		}
		for b.Loop() {
			if _, _, ok := state.DecodePart(doc, index, sixty); !ok {
				b.Fatal("DecodePart: not ok")
			}
		}
	})
}
