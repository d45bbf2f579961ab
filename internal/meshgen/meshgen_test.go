package meshgen_test

import (
	"context"
	"encoding/json"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/meshc-dev/meshc/internal/meshgen"
	"github.com/meshc-dev/meshc/pkg/catalog"
	"github.com/meshc-dev/meshc/pkg/config"
	"github.com/meshc-dev/meshc/pkg/mesh"
)

var small = meshgen.Options{Domains: 3, ProductsPerDomain: 4, Seed: 1}

// load validates the mesh in dir as `meshc validate` does.
func load(tb testing.TB, dir string) *mesh.Result {
	tb.Helper()
	cfg, err := config.Load(filepath.Join(dir, "mesh.cue"))
	if err != nil {
		tb.Fatalf("config.Load: %v", err)
	}
	res, err := mesh.Load(context.Background(), cfg, mesh.Options{})
	if err != nil {
		tb.Fatalf("mesh.Load: %v", err)
	}
	return res
}

func TestWriteValidates(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3} {
		o := small
		o.Seed = seed
		dir := t.TempDir()
		st, err := meshgen.Write(dir, o)
		if err != nil {
			t.Fatal(err)
		}
		res := load(t, dir)
		for _, d := range res.Diagnostics {
			t.Errorf("seed %d: %s:%d: %s: %s", seed, d.File, d.Line, d.Code, d.Message)
		}
		if got, want := len(res.Mesh.Domains), 3; got != want || st.Domains != want {
			t.Errorf("seed %d: %d domains loaded, %d written; want %d", seed, got, st.Domains, want)
		}
		if got, want := len(res.Mesh.Products), 12; got != want || st.Products != want {
			t.Errorf("seed %d: %d products loaded, %d written; want %d", seed, got, st.Products, want)
		}
		if want := 3 + 12 + 1; st.Files != want {
			t.Errorf("seed %d: %d files written; want %d", seed, st.Files, want)
		}
		checkShape(t, res.Mesh, st)
	}
}

// checkShape checks what the mesh rules do not: every input reads a public
// port of another domain's active product, and the sizes are as asked.
func checkShape(t *testing.T, m *catalog.Mesh, st meshgen.Stats) {
	t.Helper()
	inputs, ports := 0, 0
	for _, id := range m.ProductIDs() {
		p := m.Products[id]
		ports += len(p.OutputPorts)
		if len(p.InputPorts) > 3 {
			t.Errorf("%s has %d input ports; want at most 3", id, len(p.InputPorts))
		}
		for name, in := range p.InputPorts {
			inputs++
			src := m.Products[in.Product]
			switch {
			case src == nil:
				t.Errorf("%s.inputPorts.%s reads unknown %s", id, name, in.Product)
			case src.Domain == p.Domain:
				t.Errorf("%s.inputPorts.%s reads %s of its own domain", id, name, in.Product)
			case src.Status != catalog.StatusActive:
				t.Errorf("%s.inputPorts.%s reads %s, which is %s", id, name, in.Product, src.Status)
			case src.OutputPorts[in.Port].Access.Visibility != catalog.VisibilityPublic:
				t.Errorf("%s.inputPorts.%s reads port %s of %s, which is not public", id, name, in.Port, in.Product)
			}
		}
		for name, port := range p.OutputPorts {
			if len(port.Schema) != meshgen.DefaultFieldsPerPort {
				t.Errorf("%s.outputPorts.%s has %d fields; want %d", id, name, len(port.Schema), meshgen.DefaultFieldsPerPort)
			}
		}
	}
	if inputs != st.InputPorts || inputs == 0 {
		t.Errorf("%d input ports loaded, %d written; want the same, and some", inputs, st.InputPorts)
	}
	if want := st.Products * meshgen.DefaultPortsPerProduct; ports != want || st.OutputPorts != want {
		t.Errorf("%d output ports loaded, %d written; want %d", ports, st.OutputPorts, want)
	}
}

func TestWriteIsDeterministic(t *testing.T) {
	a, b, c := t.TempDir(), t.TempDir(), t.TempDir()
	for _, dir := range []string{a, b} {
		if _, err := meshgen.Write(dir, small); err != nil {
			t.Fatal(err)
		}
	}
	other := small
	other.Seed = 2
	if _, err := meshgen.Write(c, other); err != nil {
		t.Fatal(err)
	}
	ta, tb, tc := tree(t, a), tree(t, b), tree(t, c)
	if !maps.Equal(ta, tb) {
		t.Errorf("two meshes written with the same options differ:\n%v\n%v", slices.Sorted(maps.Keys(ta)), slices.Sorted(maps.Keys(tb)))
	}
	if maps.Equal(ta, tc) {
		t.Errorf("meshes written with seeds 1 and 2 are the same")
	}
}

func TestDefaultProductSize(t *testing.T) {
	// CUE-NOTES.md's figures are for ~9 KB of CUE per product; keep the
	// default comparable with them.
	st, err := meshgen.Write(t.TempDir(), meshgen.Options{Domains: 2, ProductsPerDomain: 25})
	if err != nil {
		t.Fatal(err)
	}
	perProduct := float64(st.Bytes) / float64(st.Products)
	if perProduct < 8000 || perProduct > 10500 {
		t.Errorf("%.0f bytes of CUE per product; want about 9,000", perProduct)
	}
}

func TestWriteRefusesNonEmptyDir(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "old.cue"), []byte("x: 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := meshgen.Write(dir, small)
	if err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Errorf("Write into a non-empty directory: err = %v; want one saying it is not empty", err)
	}
}

// tree returns every file under dir by its relative path.
func tree(tb testing.TB, dir string) map[string]string {
	tb.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		files[filepath.ToSlash(rel)] = string(b)
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return files
}

// TestMeshIsWhatWriteCompilesTo checks that the in-memory mesh is the one
// meshc compiles from the files Write writes, but for provenance.
func TestMeshIsWhatWriteCompilesTo(t *testing.T) {
	o := meshgen.Options{Domains: 3, ProductsPerDomain: 4, Seed: 7}
	dir := t.TempDir()
	if _, err := meshgen.Write(dir, o); err != nil {
		t.Fatal(err)
	}
	compiled := load(t, dir).Mesh
	got := meshgen.Mesh(o)
	if len(got.Products) != len(compiled.Products) || len(got.Domains) != len(compiled.Domains) {
		t.Fatalf("%d products in %d domains, compiled %d in %d", len(got.Products), len(got.Domains), len(compiled.Products), len(compiled.Domains))
	}
	for id, want := range compiled.Products {
		w := *want
		w.Source = nil
		gj, _ := json.Marshal(got.Products[id])
		wj, _ := json.Marshal(&w)
		if string(gj) != string(wj) {
			t.Errorf("product %s:\n got %s\nwant %s", id, gj, wj)
		}
	}
	for name, want := range compiled.Domains {
		g := got.Domains[name]
		if g == nil || g.Title != want.Title || g.Description != want.Description || g.Team != want.Team {
			t.Errorf("domain %s: got %+v, want %+v", name, g, want)
		}
	}
}
