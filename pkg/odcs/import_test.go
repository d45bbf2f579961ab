package odcs

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"cuelang.org/go/cue/format"
	"go.yaml.in/yaml/v3"

	"github.com/meshc-dev/meshc/pkg/catalog"
	"github.com/meshc-dev/meshc/pkg/config"
	"github.com/meshc-dev/meshc/pkg/export"
	"github.com/meshc-dev/meshc/pkg/mesh"
)

// writeMesh writes a mesh of the given domains' files and loads it as
// meshc validate does, failing on any diagnostic.
func writeMesh(t *testing.T, domains map[string]map[string][]byte) *catalog.Mesh {
	t.Helper()
	dir := t.TempDir()
	var cfg strings.Builder
	cfg.WriteString("platform: {name: \"test\"}\ndomains: {\n")
	for _, d := range catalog.SortedKeys(domains) {
		fmt.Fprintf(&cfg, "\t%s: {path: \"./domains/%s\"}\n", d, d)
		for name, b := range domains[d] {
			path := filepath.Join(dir, "domains", d, name)
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	cfg.WriteString("}\nstate: {backend: \"file\", path: \".meshc/catalog.json\"}\n")
	if err := os.WriteFile(filepath.Join(dir, "mesh.cue"), []byte(cfg.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := config.Load(filepath.Join(dir, "mesh.cue"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := mesh.Load(context.Background(), c, mesh.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range res.Diagnostics {
		t.Errorf("meshc validate: %s:%d: %s: %s", d.File, d.Line, d.Code, d.Message)
	}
	return res.Mesh
}

func loadExample(t *testing.T) *catalog.Mesh {
	t.Helper()
	c, err := config.Load("../../catalog-example/mesh.cue")
	if err != nil {
		t.Fatal(err)
	}
	res, err := mesh.Load(context.Background(), c, mesh.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return res.Mesh
}

// TestRoundTripExample exports catalog-example/ as ODCS, imports each
// domain's contracts back and gets the very same mesh, with no loss: the
// contracts meshc writes carry everything.
func TestRoundTripExample(t *testing.T) {
	m := loadExample(t)
	exp, err := export.Export(m, "odcs", export.Options{})
	if err != nil {
		t.Fatal(err)
	}
	byDomain := map[string][]Input{}
	for _, name := range catalog.SortedKeys(exp.Files) {
		d, _, _ := strings.Cut(name, "/")
		byDomain[d] = append(byDomain[d], Input{Name: name, Data: exp.Files[name]})
	}
	files := map[string]map[string][]byte{}
	for _, d := range catalog.SortedKeys(byDomain) {
		res, err := Import(byDomain[d], Options{Domain: d})
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range res.Losses {
			t.Errorf("loss: %s", l)
		}
		files[d] = res.Files
	}
	got := writeMesh(t, files)
	for _, name := range m.DomainNames() {
		want, g := m.Domains[name], got.Domains[name]
		if g == nil || g.Title != want.Title || g.Description != want.Description || g.Team != want.Team {
			t.Errorf("domain %s: got %+v, want %+v", name, g, want)
		}
	}
	for _, id := range m.ProductIDs() {
		want, g := *m.Products[id], got.Products[id]
		if len(want.OutputPorts) == 0 {
			// No contract, and the export's loss report says so.
			if g != nil || len(exp.Losses) != 1 || exp.Losses[0].Product != id {
				t.Errorf("%s has no output port: want it missing and reported, got %v and %v", id, g, exp.Losses)
			}
			continue
		}
		if g == nil {
			t.Errorf("%s: not imported", id)
			continue
		}
		gv := *g
		want.Source, gv.Source = nil, nil
		if !reflect.DeepEqual(gv, want) {
			t.Errorf("%s differs after export and import:\n got %+v\nwant %+v", id, gv, want)
		}
	}
}

// TestStandardExamples imports contracts the standard publishes: meshc
// validates the CUE, and exporting it again gives the input back, field
// for field, except what the loss report names (and the apiVersion, which
// the export writes as v3.1.0).
func TestStandardExamples(t *testing.T) {
	paths, _ := filepath.Glob("testdata/examples/*.odcs.yaml")
	if len(paths) < 5 {
		t.Fatalf("found %d examples", len(paths))
	}
	for _, path := range paths {
		t.Run(filepath.Base(path), func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			res, err := Import([]Input{{Name: filepath.Base(path), Data: data}}, Options{Domain: "imported"})
			if err != nil {
				t.Fatal(err)
			}
			for name, b := range res.Files {
				if f, err := format.Source(b); err != nil || string(f) != string(b) {
					t.Errorf("%s is not as cue fmt formats it (%v):\n%s", name, err, b)
				}
			}
			m := writeMesh(t, map[string]map[string][]byte{"imported": res.Files})
			if len(m.Products) != len(res.Products) {
				t.Fatalf("%d products in the CUE, %d imported", len(m.Products), len(res.Products))
			}
			// The CUE holds exactly the imported model.
			for _, p := range res.Products {
				g := *m.Products[p.ID]
				g.Source = nil
				if !reflect.DeepEqual(g, *p) {
					t.Errorf("%s: the CUE does not hold the imported product:\n got %+v\nwant %+v", p.ID, g, *p)
				}
			}
			exp, err := export.Export(m, "odcs", export.Options{})
			if err != nil {
				t.Fatal(err)
			}
			var out [][]byte
			for _, name := range catalog.SortedKeys(exp.Files) {
				out = append(out, exp.Files[name])
			}
			compare(t, data, out, res.Losses)
		})
	}
}

// compare checks every leaf of the input contract against the exported
// ones (whose schema objects are put back together into one list): each is
// there with the same value, or a loss names it or one of its parents.
func compare(t *testing.T, input []byte, outputs [][]byte, losses export.Report) {
	t.Helper()
	in := leaves(t, input)
	out := map[string]string{}
	for _, o := range outputs {
		for k, v := range leaves(t, o) {
			out[k] = v
		}
	}
	// A renamed list item (a port, a field, a server) is compared under
	// its new name.
	type rewrite struct{ from, to string }
	var rewrites []rewrite
	for _, l := range losses {
		for _, k := range []string{".name", ".server", ".channel"} {
			if item, ok := strings.CutSuffix(l.Path, k); ok && l.Kind == export.LossRenamed && l.To != "" && strings.HasSuffix(item, "]") {
				i := strings.LastIndex(item, "[")
				rewrites = append(rewrites, rewrite{item, item[:i] + "[" + l.To + "]"})
			}
		}
	}
	rename := func(path string) string {
		for changed := true; changed; {
			changed = false
			for _, rw := range rewrites {
				if rest, ok := strings.CutPrefix(path, rw.from); ok && (rest == "" || rest[0] == '.' || rest[0] == '[') {
					path, changed = rw.to+rest, true
				}
			}
		}
		return path
	}
	covered := func(path string) bool {
		for _, l := range losses {
			if path == l.Path || strings.HasPrefix(path, l.Path+".") || strings.HasPrefix(path, l.Path+"[") {
				return true
			}
		}
		return false
	}
	checked := 0
	for _, path := range catalog.SortedKeys(in) {
		if path == "apiVersion" || covered(path) {
			continue
		}
		checked++
		if got, ok := out[rename(path)]; !ok {
			t.Errorf("%s: %s is dropped without a loss", path, in[path])
		} else if got != in[path] {
			t.Errorf("%s: exported %s, imported %s, and no loss says so", path, got, in[path])
		}
	}
	if checked == 0 {
		t.Error("no field of the input was compared")
	}
}

// leaves flattens a contract into path → value, naming list items as the
// import's loss report does (schema by name, properties by name, ...).
func leaves(t *testing.T, data []byte) map[string]string {
	t.Helper()
	var n yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&n); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	var walk func(n *yaml.Node, path, field string)
	walk = func(n *yaml.Node, path, field string) {
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i].Value, n.Content[i+1]
				if isDefault(k, v) {
					continue
				}
				sub := k
				if path != "" {
					sub = path + "." + k
				}
				walk(v, sub, k)
			}
		case yaml.SequenceNode:
			byKey := map[string]string{"schema": "name", "properties": "name", "servers": "server", "slaProperties": "property", "customProperties": "property", "support": "channel"}
			seen := map[string]int{}
			for i, c := range n.Content {
				k := key(c, byKey[field], i)
				if field == "tags" {
					k = "[" + c.Value + "]"
				}
				if seen[k]++; seen[k] > 1 {
					k = strings.TrimSuffix(k, "]") + "#" + fmt.Sprint(seen[k]) + "]"
				}
				walk(c, path+k, field)
			}
		default:
			out[path] = n.Value
		}
	}
	walk(n.Content[0], "", "")
	return out
}
