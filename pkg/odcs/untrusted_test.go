package odcs

import (
	"reflect"
	"strings"
	"testing"

	"cuelang.org/go/cue/parser"
)

// hostile is a contract whose text tries to break out of CUE strings and
// labels: quotes, newlines, interpolations, comment ends, hidden and
// definition labels, keywords.
const hostile = `apiVersion: v3.1.0
kind: DataContract
id: x
version: 1.0.0
status: draft
name: 'Quotes " and \(interp) */ /* here'
description:
  purpose: "Line one\nline two \" }\n\\(evil) products: {} */"
schema:
  - name: t
    description: 'ends with a backslash \'
    properties:
      - name: _hidden
        logicalType: string
        description: "#definition \"quoted\" \u2028 separator text"
      - name: "#def"
        logicalType: string
        description: Definition-looking name.
      - name: if
        logicalType: string
        description: A keyword as a name.
      - name: "weird name\"}"
        logicalType: object
        description: "Nested \t tab text"
        properties:
          - name: inner
            logicalType: array
            description: Array of strings.
            items:
              logicalType: string
              description: "an item \"\\\""
`

// TestHostileText imports it: the CUE parses, meshc validates it, and it
// holds exactly the contract's text.
func TestHostileText(t *testing.T) {
	res, err := Import([]Input{{Name: "hostile.yaml", Data: []byte(hostile)}}, Options{Domain: "d", Product: "p"})
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range res.Files {
		if _, err := parser.ParseFile(name, b); err != nil {
			t.Fatalf("%s does not parse: %v\n%s", name, err, b)
		}
	}
	m := writeMesh(t, map[string]map[string][]byte{"d": res.Files})
	got := *m.Products["d.p"]
	got.Source = nil
	if !reflect.DeepEqual(got, *res.Products[0]) {
		t.Errorf("the CUE does not hold the contract:\n got %+v\nwant %+v", got, *res.Products[0])
	}
	p := res.Products[0]
	if !strings.Contains(p.Description, "\\(evil) products: {} */") || !strings.Contains(p.Title, `\(interp) */`) {
		t.Errorf("text changed: title %q, description %q", p.Title, p.Description)
	}
	schema := p.OutputPorts["t"].Schema
	for _, name := range []string{"_hidden", "_def", "if", "weird_name__"} {
		if _, ok := schema[name]; !ok {
			t.Errorf("field %q missing; have %v", name, reflect.ValueOf(schema).MapKeys())
		}
	}
}

func TestRejects(t *testing.T) {
	deep := "apiVersion: v3.1.0\nkind: DataContract\nid: x\nversion: 1.0.0\nstatus: draft\nschema:\n  - name: t\n    properties:\n"
	indent := "      "
	for i := 0; i < MaxDepth+2; i++ {
		deep += indent + "- name: f\n" + indent + "  logicalType: object\n" + indent + "  properties:\n"
		indent += "    "
	}
	deep += indent + "- name: leaf\n"
	for _, tc := range []struct{ name, doc, want string }{
		{"not yaml", "a: [", "c.yaml: not a YAML or JSON contract"},
		{"wrong kind", "apiVersion: v3.1.0\nkind: DataProduct\n", "c.yaml:2: kind is \"DataProduct\""},
		{"old version", "apiVersion: v2.2.2\nkind: DataContract\n", "c.yaml:1: apiVersion \"v2.2.2\""},
		{"alias", "apiVersion: v3.1.0\nkind: DataContract\nx: &a [1]\ny: *a\n", "c.yaml:3: YAML anchors and aliases are not accepted"},
		{"two documents", "apiVersion: v3.1.0\n---\nkind: DataContract\n", "c.yaml:2: one contract per file"},
		{"schema not a list", "apiVersion: v3.1.0\nkind: DataContract\nschema: {a: 1}\n", "c.yaml:3: schema must be a list"},
		{"too deep", deep, "nest deeper than"},
	} {
		_, err := Import([]Input{{Name: "c.yaml", Data: []byte(tc.doc)}}, Options{Domain: "d"})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want an error with %q", tc.name, err, tc.want)
		}
	}
	if _, err := Import([]Input{{Name: "c.yaml", Data: []byte("kind: DataContract")}}, Options{Domain: "Bad-Name"}); err == nil {
		t.Error("a --domain that is no meshc name is accepted")
	}
}

// FuzzImport: no contract makes Import panic, and whatever it writes is
// CUE that parses.
func FuzzImport(f *testing.F) {
	f.Add([]byte(hostile))
	f.Add([]byte("apiVersion: v3.0.2\nkind: DataContract\nid: a\nschema: [{name: t, properties: [{name: x, logicalType: array, items: {logicalType: object}}]}]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := Import([]Input{{Name: "f.yaml", Data: data}}, Options{Domain: "d"})
		if err != nil {
			return
		}
		for name, b := range res.Files {
			if _, err := parser.ParseFile(name, b); err != nil {
				t.Fatalf("%s does not parse: %v\n%s", name, err, b)
			}
		}
	})
}
