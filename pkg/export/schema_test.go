package export

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"

	"github.com/meshc-dev/meshc/internal/meshgen"
	"github.com/meshc-dev/meshc/pkg/catalog"
	"github.com/meshc-dev/meshc/pkg/config"
	"github.com/meshc-dev/meshc/pkg/mesh"
)

// Schemas are the official JSON Schemas, vendored in testdata/schemas (see
// its README for their sources and licences).
type Schemas struct {
	ODPS, ODCS *jsonschema.Schema
	Backstage  map[string]*jsonschema.Schema // by kind
}

// LoadSchemas compiles the vendored schemas, asserting formats (uri, date,
// date-time) as well.
func LoadSchemas(tb testing.TB, dir string) *Schemas {
	tb.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	// add registers a schema file; Backstage's schemas refer to each other
	// by their $id ("Entity", "common#relation"), so they are registered
	// under it.
	add := func(name string) string {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			tb.Fatal(err)
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			tb.Fatalf("%s: %v", name, err)
		}
		url := "file:///schemas/" + name
		if id, ok := doc.(map[string]any)["$id"].(string); ok && strings.HasPrefix(name, "backstage/") {
			url = "file:///schemas/backstage/" + id
		}
		if err := c.AddResource(url, doc); err != nil {
			tb.Fatalf("%s: %v", name, err)
		}
		return url
	}
	compile := func(url string) *jsonschema.Schema {
		s, err := c.Compile(url)
		if err != nil {
			tb.Fatalf("compile %s: %v", url, err)
		}
		return s
	}
	s := &Schemas{Backstage: map[string]*jsonschema.Schema{}}
	odps, odcs := add("odps-json-schema-v1.0.0.json"), add("odcs-json-schema-v3.1.0.json")
	for _, name := range []string{"Entity", "EntityMeta", "common"} {
		add("backstage/" + name + ".schema.json")
	}
	kinds := map[string]string{}
	for _, kind := range []string{"Domain", "System", "Component", "API", "Group"} {
		kinds[kind] = add("backstage/" + kind + ".v1alpha1.schema.json")
	}
	s.ODPS, s.ODCS = compile(odps), compile(odcs)
	for kind, url := range kinds {
		s.Backstage[kind] = compile(url)
	}
	return s
}

// docs decodes a file of an export: one YAML document or several, or JSON
// (an object, or an array of entities), each as JSON values.
func docs(tb testing.TB, name string, b []byte) []any {
	tb.Helper()
	if strings.HasSuffix(name, ".json") {
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			tb.Fatalf("%s: %v", name, err)
		}
		if list, ok := v.([]any); ok {
			return list
		}
		return []any{v}
	}
	var out []any
	dec := yaml.NewDecoder(bytes.NewReader(b))
	for {
		var v any
		if err := dec.Decode(&v); err != nil {
			if err.Error() == "EOF" {
				return out
			}
			tb.Fatalf("%s: %v", name, err)
		}
		out = append(out, jsonValue(tb, v))
	}
}

// jsonValue turns a decoded YAML value into the JSON value the validator
// expects.
func jsonValue(tb testing.TB, v any) any {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	out, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

var (
	entityName = regexp.MustCompile(`^[A-Za-z0-9]+([-_.][A-Za-z0-9]+)*$`)
	entityTag  = regexp.MustCompile(`^[a-z0-9:+#]+(-[a-z0-9:+#]+)*$`)
)

// Validate checks every file of an export of format against its schemas,
// and Backstage's name rules and references, which its schemas leave to
// code.
func (s *Schemas) Validate(tb testing.TB, format string, files map[string][]byte) {
	tb.Helper()
	if len(files) == 0 {
		tb.Fatalf("%s: no files", format)
	}
	entities := map[string]bool{}
	var refs []string
	for _, name := range catalog.SortedKeys(files) {
		for _, doc := range docs(tb, name, files[name]) {
			switch format {
			case "odps":
				s.validate(tb, s.ODPS, name, doc)
			case "odcs":
				s.validate(tb, s.ODCS, name, doc)
			case "backstage":
				e := doc.(map[string]any)
				kind, _ := e["kind"].(string)
				sch := s.Backstage[kind]
				if sch == nil {
					tb.Errorf("%s: kind %q has no schema", name, kind)
					continue
				}
				s.validate(tb, sch, name, doc)
				meta := e["metadata"].(map[string]any)
				n, _ := meta["name"].(string)
				if len(n) > 63 || !entityName.MatchString(n) {
					tb.Errorf("%s: %s name %q breaks Backstage's rules", name, kind, n)
				}
				tags, _ := meta["tags"].([]any)
				for _, t := range tags {
					if t, _ := t.(string); len(t) > 63 || !entityTag.MatchString(t) {
						tb.Errorf("%s: tag %q breaks Backstage's rules", name, t)
					}
				}
				key := strings.ToLower(kind) + ":default/" + n
				if entities[key] {
					tb.Errorf("%s: %s written twice", name, key)
				}
				entities[key] = true
				spec := e["spec"].(map[string]any)
				for _, f := range []string{"owner", "system", "domain"} {
					if r, ok := spec[f].(string); ok {
						refs = append(refs, name+" "+r)
					}
				}
				for _, f := range []string{"providesApis", "consumesApis"} {
					list, _ := spec[f].([]any)
					for _, r := range list {
						refs = append(refs, name+" "+r.(string))
					}
				}
				if kind == "API" {
					def := spec["definition"].(string)
					for _, d := range docs(tb, name+"#definition.yaml", []byte(def)) {
						s.validate(tb, s.ODCS, name+"#definition", d)
					}
				}
			default:
				tb.Fatalf("no schema for format %q", format)
			}
		}
	}
	for _, r := range refs {
		file, ref, _ := strings.Cut(r, " ")
		if !entities[ref] && !strings.HasPrefix(ref, "user:") {
			tb.Errorf("%s: reference %s names no entity of the export", file, ref)
		}
	}
}

func (s *Schemas) validate(tb testing.TB, sch *jsonschema.Schema, name string, doc any) {
	tb.Helper()
	if err := sch.Validate(doc); err != nil {
		tb.Errorf("%s does not validate:\n%v", name, err)
	}
}

func loadMesh(tb testing.TB, file string) *catalog.Mesh {
	tb.Helper()
	cfg, err := config.Load(file)
	if err != nil {
		tb.Fatal(err)
	}
	res, err := mesh.Load(context.Background(), cfg, mesh.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	for _, d := range res.Diagnostics {
		tb.Errorf("%s:%d: %s", d.File, d.Line, d.Message)
	}
	return res.Mesh
}

// TestExampleValidates exports catalog-example/ in every format, YAML and
// JSON: every file validates against the official schemas, and the loss
// report is empty (every standard can carry the example, custom properties
// and annotations included).
func TestExampleValidates(t *testing.T) {
	s := LoadSchemas(t, "testdata/schemas")
	m := loadMesh(t, "../../catalog-example/mesh.cue")
	for _, f := range Formats {
		for _, asJSON := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/json=%v", f.Name, asJSON), func(t *testing.T) {
				res, err := f.Run(m, Options{JSON: asJSON})
				if err != nil {
					t.Fatal(err)
				}
				s.Validate(t, f.Name, res.Files)
				var want Report
				if f.Name == "odcs" {
					// A proposal without ports has no contract to write.
					want.Add("finance.revenue_forecast", "outputPorts", LossDropped, "ODCS has one contract per output port: a product without output ports has none")
				}
				if got := fmt.Sprint(res.Losses); got != fmt.Sprint(want) {
					t.Errorf("losses:\n%s\nwant:\n%s", got, want)
				}
			})
		}
	}
}

// TestSyntheticValidates does the same for synthetic meshes, whose names,
// locations and nesting vary more than the example's.
func TestSyntheticValidates(t *testing.T) {
	s := LoadSchemas(t, "testdata/schemas")
	for _, seed := range []uint64{1, 2} {
		dir := t.TempDir()
		if _, err := meshgen.Write(dir, meshgen.Options{Domains: 3, ProductsPerDomain: 4, PortsPerProduct: 2, FieldsPerPort: 6, Seed: seed}); err != nil {
			t.Fatal(err)
		}
		m := loadMesh(t, filepath.Join(dir, "mesh.cue"))
		for _, f := range Formats {
			res, err := f.Run(m, Options{})
			if err != nil {
				t.Fatal(err)
			}
			s.Validate(t, f.Name, res.Files)
		}
	}
}

// TestGolden pins the export of catalog-example/ in each format, file by
// file (UPDATE_GOLDEN=1 rewrites them).
func TestGolden(t *testing.T) {
	m := loadMesh(t, "../../catalog-example/mesh.cue")
	for _, f := range Formats {
		t.Run(f.Name, func(t *testing.T) {
			res, err := f.Run(m, Options{})
			if err != nil {
				t.Fatal(err)
			}
			again, err := f.Run(m, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(res, again) {
				t.Error("two exports of the same mesh differ")
			}
			dir := filepath.Join("testdata", "golden", f.Name)
			if os.Getenv("UPDATE_GOLDEN") != "" {
				if err := os.RemoveAll(dir); err != nil {
					t.Fatal(err)
				}
				for name, b := range res.Files {
					path := filepath.Join(dir, filepath.FromSlash(name))
					if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(path, b, 0o644); err != nil {
						t.Fatal(err)
					}
				}
				return
			}
			want := map[string]bool{}
			err = filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				rel, _ := filepath.Rel(dir, path)
				want[filepath.ToSlash(rel)] = true
				return nil
			})
			if err != nil {
				t.Fatalf("%v (set UPDATE_GOLDEN=1 to create the goldens)", err)
			}
			for _, name := range catalog.SortedKeys(res.Files) {
				if !want[name] {
					t.Errorf("%s is exported but has no golden file (set UPDATE_GOLDEN=1)", name)
					continue
				}
				golden, _ := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
				if got := string(res.Files[name]); got != string(golden) {
					t.Errorf("%s differs from its golden file (set UPDATE_GOLDEN=1 to update it):\n--- got\n%s\n--- want\n%s", name, got, golden)
				}
				delete(want, name)
			}
			for name := range want {
				t.Errorf("golden %s is no longer exported", name)
			}
		})
	}
}

// TestSchemasReject makes sure the validation above can fail: a document
// each schema must reject is rejected.
func TestSchemasReject(t *testing.T) {
	s := LoadSchemas(t, "testdata/schemas")
	for _, tc := range []struct {
		name string
		sch  *jsonschema.Schema
		doc  string
	}{
		{"odps without id", s.ODPS, `{"apiVersion": "v1.0.0", "kind": "DataProduct", "status": "active"}`},
		{"odps unknown field", s.ODPS, `{"apiVersion": "v1.0.0", "kind": "DataProduct", "id": "a.b", "status": "active", "owner": "x"}`},
		{"odcs bad logical type", s.ODCS, `{"apiVersion": "v3.1.0", "kind": "DataContract", "id": "a", "version": "1.0.0", "status": "active",
			"schema": [{"name": "t", "properties": [{"name": "f", "logicalType": "decimal"}]}]}`},
		{"odcs bigquery server without dataset", s.ODCS, `{"apiVersion": "v3.1.0", "kind": "DataContract", "id": "a", "version": "1.0.0", "status": "active",
			"servers": [{"server": "s", "type": "bigquery", "project": "p"}]}`},
		{"api without definition", s.Backstage["API"], `{"apiVersion": "backstage.io/v1alpha1", "kind": "API", "metadata": {"name": "a"},
			"spec": {"type": "odcs", "lifecycle": "production", "owner": "group:default/t"}}`},
		{"group without children", s.Backstage["Group"], `{"apiVersion": "backstage.io/v1alpha1", "kind": "Group", "metadata": {"name": "a"}, "spec": {"type": "team"}}`},
	} {
		doc, err := jsonschema.UnmarshalJSON(strings.NewReader(tc.doc))
		if err != nil {
			t.Fatal(err)
		}
		if tc.sch.Validate(doc) == nil {
			t.Errorf("%s: validates", tc.name)
		}
	}
}
