package git

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/meshc-dev/meshc/internal/gittest"
	"github.com/meshc-dev/meshc/internal/meshgen"
	"github.com/meshc-dev/meshc/pkg/state"
	"github.com/meshc-dev/meshc/pkg/state/statetest"
)

// chooseD03 names domain d03's products, the one reading d03.p019 and
// sales.orders, as a check of domain d03 would.
func chooseD03(idx *state.Index) []string {
	var ids []string
	for id, e := range idx.Products {
		if e.Domain == "d03" || slices.Contains(e.Reads, "d03.p019") {
			ids = append(ids, id)
		}
	}
	return append(ids, "sales.orders")
}

// checkOf chooses what a pull-request check of domain needs: its
// products, the products they read and their readers.
func checkOf(domain string) state.Choose {
	return func(idx *state.Index) []string {
		set := map[string]bool{}
		for id, e := range idx.Products {
			if e.Domain == domain {
				set[id] = true
				for _, r := range e.Reads {
					set[r] = true
				}
			}
		}
		for id, e := range idx.Products {
			for _, r := range e.Reads {
				if idx.Products[r].Domain == domain {
					set[id] = true
				}
			}
		}
		return slices.Collect(maps.Keys(set))
	}
}

// writeLinked writes statetest.Linked(n) through a Store on r as an apply
// does and returns what was written.
func writeLinked(t *testing.T, r remote, n int) *state.Catalog {
	t.Helper()
	st := state.NewStore(r.open(t, t.TempDir()))
	live, err := st.Read(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	c := statetest.Linked(n)
	c.Lineage = live.Lineage
	c.History = append(live.History, statetest.Entry("alice", live.Serial+1))
	l, err := st.Lock(t.Context(), "alice")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Unlock()
	if err := l.Write(t.Context(), c, live.Serial); err != nil {
		t.Fatal(err)
	}
	return c
}

// edit commits on branch, as someone without meshc would, with files
// written (path -> contents), the paths in remove removed first and each
// symlink made (path -> target); it pushes and returns the commit.
func edit(t *testing.T, r remote, branch string, files map[string]string, remove []string, symlinks map[string]string) string {
	t.Helper()
	work := gittest.New(t)
	work.Git("fetch", "-q", r.Dir, branch)
	work.Git("checkout", "-q", "-b", branch, "FETCH_HEAD")
	for _, p := range remove {
		work.Git("rm", "-r", "-q", "--", p)
	}
	for name, target := range symlinks {
		work.Symlink(name, target)
	}
	commit := work.Commit("edited by hand", files)
	work.Push(r.Repo, branch+":"+branch)
	return commit
}

// checkIndexed checks that the tip of branch holds the catalog at path
// and, in the same commit (changed by it), its index, and that the index
// is the one of that document.
func checkIndexed(t *testing.T, r remote, branch, path string) {
	t.Helper()
	index := state.IndexPath(path)
	changed := r.Git("diff-tree", "--root", "--no-commit-id", "--name-only", "-r", "refs/heads/"+branch)
	if !slices.Contains(strings.Split(changed, "\n"), path) || !slices.Contains(strings.Split(changed, "\n"), index) {
		t.Errorf("the tip commit of %s changes %q; want %s and %s", branch, changed, path, index)
	}
	doc, idx := r.raw(branch, path), r.raw(branch, index)
	c, err := state.Decode(doc)
	if err != nil {
		t.Fatal(err)
	}
	want, wantIndex, err := state.EncodeIndexed(c)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(doc, want) || !bytes.Equal(idx, wantIndex) {
		t.Errorf("%s:%s and %s are not state.EncodeIndexed of the catalog", branch, path, index)
	}
	all := func(x *state.Index) []string { return slices.Collect(maps.Keys(x.Products)) }
	part, _, ok := state.DecodePart(doc, idx, all)
	if !ok || !reflect.DeepEqual(part.Products, c.Products) {
		t.Errorf("the index on %s does not read the catalog beside it (ok %v)", branch, ok)
	}
}

// readPart reads part of the catalog on r through a fresh Backend (ok:
// whether through its index) and through a Store, and checks the Store's
// part against the part of the whole catalog.
func readPart(t *testing.T, r remote) (backendOK bool, part *state.Catalog) {
	t.Helper()
	_, _, ok, err := r.open(t, t.TempDir()).ReadPart(t.Context(), chooseD03)
	if err != nil {
		t.Fatalf("Backend.ReadPart: %v", err)
	}
	st := state.NewStore(r.open(t, t.TempDir()))
	whole, err := st.Read(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	part, err = st.ReadPart(t.Context(), chooseD03)
	if err != nil {
		t.Fatalf("Store.ReadPart: %v", err)
	}
	want := state.Part(whole, chooseD03)
	if !reflect.DeepEqual(part.Products, want.Products) || !reflect.DeepEqual(part.Domains, want.Domains) ||
		!reflect.DeepEqual(part.Meta, want.Meta) || !reflect.DeepEqual(part.Part(), want.Part()) || part.Serial != whole.Serial {
		t.Errorf("Store.ReadPart differs from the part of the whole catalog")
	}
	return ok, part
}

// TestIndexCommittedWithCatalog: every write commits the document, as
// state.Encode writes it, and its index in one commit, at a nested path
// too.
func TestIndexCommittedWithCatalog(t *testing.T) {
	r := fileRemote(t)
	b, err := New(Options{Repo: r.URL, Branch: "live", Path: "state/prod/catalog.json", CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	st := state.NewStore(b)
	l, err := st.Lock(t.Context(), "alice")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Unlock()
	c := statetest.Linked(40)
	for serial := range int64(3) {
		c.History = append(c.History, statetest.Entry("alice", serial+1))
		if err := l.Write(t.Context(), c, serial); err != nil {
			t.Fatal(err)
		}
		if got := r.raw("live", "state/prod/catalog.json"); !bytes.Equal(got, encode(t, c)) {
			t.Errorf("serial %d: the document is not state.Encode's", c.Serial)
		}
		checkIndexed(t, r, "live", "state/prod/catalog.json")
		delete(c.Products, "d03.p016")
	}
	part, _, ok, err := b.ReadPart(t.Context(), chooseD03)
	if err != nil || !ok {
		t.Fatalf("ReadPart = ok %v, %v; want its index read", ok, err)
	}
	if part.Serial != 3 || len(part.Products) != 6 || part.Products["d03.p016"] != nil {
		t.Errorf("ReadPart read serial %d, %d products; want serial 3, 6 products without d03.p016", part.Serial, len(part.Products))
	}
}

// TestReadPartOfOlderBranch: a branch written by a meshc that wrote no
// index is read whole, and the next write adds the index.
func TestReadPartOfOlderBranch(t *testing.T) {
	r := fileRemote(t)
	if _, _, ok, err := r.open(t, "").ReadPart(t.Context(), chooseD03); ok || err != nil {
		t.Errorf("ReadPart of no branch = ok %v, %v; want not ok, no error", ok, err)
	}
	writeLinked(t, r, 40)
	doc := r.raw(DefaultBranch, DefaultPath)
	r.plant(DefaultBranch, DefaultPath, doc) // the tree of an older meshc: the document alone
	if files := r.Git("ls-tree", "--name-only", "refs/heads/"+DefaultBranch); files != DefaultPath {
		t.Fatalf("branch holds %q", files)
	}
	if ok, part := readPart(t, r); ok || len(part.Products) != 7 {
		t.Errorf("ReadPart of a branch without index: ok %v, %d products; want not ok, 7 products", ok, len(part.Products))
	}
	writeLinked(t, r, 40)
	if ok, _ := readPart(t, r); !ok {
		t.Errorf("ReadPart after a write of this meshc did not use its index")
	}
}

// TestReadPartDistrustsIndex: a commit of someone else's that changed the
// catalog and left the index, or made the index anything but meshc's,
// makes ReadPart read the catalog whole, never fail; the next write
// replaces the index.
func TestReadPartDistrustsIndex(t *testing.T) {
	for _, tt := range []struct {
		name     string
		files    map[string]string
		remove   []string
		symlinks map[string]string
	}{
		{name: "catalog edited"}, // files filled in below
		{name: "index garbage", files: map[string]string{"catalog.index.json": "{\"format\": \"meshc-catalog-index/1\"}\n"}},
		{name: "index empty", files: map[string]string{"catalog.index.json": ""}},
		{name: "index removed", remove: []string{"catalog.index.json"}},
		{name: "index directory", remove: []string{"catalog.index.json"}, files: map[string]string{"catalog.index.json/x": "{}\n"}},
		{name: "index symlink", remove: []string{"catalog.index.json"}, symlinks: map[string]string{"catalog.index.json": "catalog.json"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := fileRemote(t)
			writeLinked(t, r, 40)
			if ok, _ := readPart(t, r); !ok {
				t.Fatalf("ReadPart after a write did not use its index")
			}
			if tt.name == "catalog edited" {
				c, err := state.Decode(r.raw(DefaultBranch, DefaultPath))
				if err != nil {
					t.Fatal(err)
				}
				p := *c.Products["d03.p016"]
				p.Title = "edited by hand"
				c.Products["d03.p016"] = &p
				tt.files = map[string]string{DefaultPath: string(encode(t, c))}
			}
			edit(t, r, DefaultBranch, tt.files, tt.remove, tt.symlinks)
			ok, part := readPart(t, r)
			if ok {
				t.Errorf("ReadPart trusted the index after the edit")
			}
			if tt.name == "catalog edited" {
				if changed := r.Git("diff-tree", "--no-commit-id", "--name-only", "-r", "refs/heads/"+DefaultBranch); changed != DefaultPath {
					t.Fatalf("the edit changed %q; want only %s", changed, DefaultPath)
				}
				if part.Products["d03.p016"].Title != "edited by hand" {
					t.Errorf("ReadPart missed the edit of the catalog")
				}
			}
			writeLinked(t, r, 40)
			if ok, _ := readPart(t, r); !ok {
				t.Errorf("ReadPart after the next write did not use its index")
			}
			checkIndexed(t, r, DefaultBranch, DefaultPath)
		})
	}
}

// TestReadPartOfCorruptCatalog: a catalog entry meshc cannot read is the
// error Read reports, whatever the index.
func TestReadPartOfCorruptCatalog(t *testing.T) {
	r := fileRemote(t)
	writeLinked(t, r, 10)
	edit(t, r, DefaultBranch, map[string]string{DefaultPath + "/inside": "{}\n"}, []string{DefaultPath}, nil)
	_, readErr := state.NewStore(r.open(t, "")).Read(t.Context())
	_, err := state.NewStore(r.open(t, "")).ReadPart(t.Context(), chooseD03)
	if _, ok := errors.AsType[*state.CorruptError](err); !ok || readErr == nil || err.Error() != readErr.Error() {
		t.Errorf("ReadPart of a directory: err = %v; want Read's %v", err, readErr)
	}
}

// TestLargeDocuments: a catalog bigger than largeObject, which the clone
// reads as it is asked for, comes back whole through Read and ReadPart,
// from the writer's clone (loose objects) and from a reader's that
// fetched each version (packs, perhaps deltas of the version before).
func TestLargeDocuments(t *testing.T) {
	r := daemonRemote(t)
	writer := state.NewStore(r.open(t, t.TempDir()))
	reader := state.NewStore(r.open(t, t.TempDir()))
	m := meshgen.Mesh(meshgen.Options{Domains: 4, ProductsPerDomain: 25, Seed: 2})
	c := state.New()
	c.Domains, c.Products = m.Domains, m.Products
	domain := slices.Sorted(maps.Keys(c.Domains))[1]
	choose := checkOf(domain)
	for serial := range int64(3) {
		l, err := writer.Lock(t.Context(), "alice")
		if err != nil {
			t.Fatal(err)
		}
		for id, p := range c.Products {
			q := *p
			q.Description = fmt.Sprintf("%s, as of serial %d", p.Description, serial+1)
			c.Products[id] = &q
		}
		c.History = append(c.History, statetest.Entry("alice", serial+1))
		if err := l.Write(t.Context(), c, serial); err != nil {
			t.Fatal(err)
		}
		l.Unlock()
		if size := len(r.raw(DefaultBranch, DefaultPath)); size <= largeObject {
			t.Fatalf("the document is %d bytes; want more than %d", size, largeObject)
		}
		want, err := state.Decode(encode(t, c))
		if err != nil {
			t.Fatal(err)
		}
		for name, st := range map[string]state.Store{"writer": writer, "reader": reader} {
			got, err := st.Read(t.Context())
			if err != nil {
				t.Fatalf("%s: Read: %v", name, err)
			}
			if !reflect.DeepEqual(got.Products, want.Products) || got.Serial != serial+1 {
				t.Errorf("%s: Read at serial %d differs from what was written", name, serial+1)
			}
			part, err := st.ReadPart(t.Context(), choose)
			if err != nil {
				t.Fatalf("%s: ReadPart: %v", name, err)
			}
			if wantPart := state.Part(got, choose); !reflect.DeepEqual(part.Products, wantPart.Products) || len(part.Products) == 0 {
				t.Errorf("%s: ReadPart at serial %d differs from the part of the whole", name, serial+1)
			}
		}
		if _, _, ok, err := r.open(t, t.TempDir()).ReadPart(t.Context(), choose); !ok || err != nil {
			t.Errorf("ReadPart = ok %v, %v; want its index read", ok, err)
		}
	}
}
