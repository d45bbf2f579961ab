package export

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"

	"go.yaml.in/yaml/v3"

	"github.com/meshc-dev/meshc/pkg/catalog"
)

// Format is one target standard: its name (the --format value), what it
// writes, and its mapping.
type Format struct {
	Name    string
	Summary string
	run     func(m *catalog.Mesh, o Options) (*Result, error)
}

// Formats is every export format, in the order help lists them.
var Formats = []Format{odpsFormat, odcsFormat, backstageFormat}

// Names returns the formats' names.
func Names() []string {
	var out []string
	for _, f := range Formats {
		out = append(out, f.Name)
	}
	return out
}

// Lookup returns the format named name.
func Lookup(name string) (Format, bool) {
	i := slices.IndexFunc(Formats, func(f Format) bool { return f.Name == name })
	if i < 0 {
		return Format{}, false
	}
	return Formats[i], true
}

// Options say how to encode the files.
type Options struct {
	// JSON writes JSON instead of YAML.
	JSON bool
}

// Result is one export: its files, by slash-separated relative name, and
// its losses.
type Result struct {
	Files  map[string][]byte
	Losses Report
}

// Export maps m to format name.
func Export(m *catalog.Mesh, name string, o Options) (*Result, error) {
	f, ok := Lookup(name)
	if !ok {
		return nil, fmt.Errorf("unknown export format %q: use one of %v", name, Names())
	}
	return f.Run(m, o)
}

// Run maps m to f.
func (f Format) Run(m *catalog.Mesh, o Options) (*Result, error) {
	res, err := f.run(m, o)
	if err != nil {
		return nil, err
	}
	res.Losses = res.Losses.Sorted()
	return res, nil
}

// ext is the files' extension for o.
func (o Options) ext() string {
	if o.JSON {
		return ".json"
	}
	return ".yaml"
}

// encode writes one document as YAML (two-space indent) or indented JSON.
// The documents are structs, so their keys keep the struct's order.
func encode(v any, asJSON bool) ([]byte, error) {
	if asJSON {
		b, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return nil, err
		}
		return append(b, '\n'), nil
	}
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// encodeAll writes several documents: a YAML stream, or a JSON array.
func encodeAll(docs []any, asJSON bool) ([]byte, error) {
	if asJSON {
		return encode(docs, true)
	}
	var b bytes.Buffer
	for i, d := range docs {
		if i > 0 {
			b.WriteString("---\n")
		}
		doc, err := encode(d, false)
		if err != nil {
			return nil, err
		}
		b.Write(doc)
	}
	return b.Bytes(), nil
}

// customProperty is the key/value pair both Bitol standards use for what
// they have no field for.
type customProperty struct {
	Property string `json:"property" yaml:"property"`
	Value    any    `json:"value" yaml:"value"`
}

// sloValue is an SLO as a custom property value.
func sloValue(s *catalog.SLO) map[string]any {
	v := map[string]any{}
	if s.Freshness != "" {
		v["freshness"] = s.Freshness
	}
	if s.Availability != nil {
		v["availability"] = *s.Availability
	}
	if s.Latency != "" {
		v["latency"] = s.Latency
	}
	if s.Retention != "" {
		v["retention"] = s.Retention
	}
	return v
}

func deprecationValue(d *catalog.Deprecation) map[string]any {
	v := map[string]any{"sunset": d.Sunset, "reason": d.Reason}
	if d.ReplacedBy != "" {
		v["replacedBy"] = d.ReplacedBy
	}
	return v
}

// domainProperties are the domain's fields that a per-product document
// carries as custom properties.
func domainProperties(d *catalog.Domain) []customProperty {
	if d == nil {
		return nil
	}
	return []customProperty{
		{"domainTitle", d.Title},
		{"domainDescription", d.Description},
	}
}

// ContractID is the id of the ODCS contract of product's output port: the
// id ODPS input and output ports reference.
func ContractID(product, port string) string { return product + "." + port }
