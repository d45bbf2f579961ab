package meshgen

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"cuelang.org/go/cue/format"
)

// The generated mesh, and how each part is written as CUE.

type mesh struct {
	domains []*domain
}

type domain struct {
	name, title, description string
	team, github, email      string
	products                 []*product
}

type product struct {
	name, entity                                        string
	title, description, version, status, classification string
	tags                                                []string
	slo                                                 *slo
	deprecation                                         *deprecation
	inputs                                              []input
	ports                                               []port
}

type slo struct {
	freshness, availability, retention string
}

type deprecation struct {
	sunset, reason string
}

type input struct {
	name, product, port, description string
}

type port struct {
	name, description, typ, location, format string
	visibility                               string
	allow                                    []string
	schema                                   []schemaField
}

type schemaField struct {
	field
	required, unique, primaryKey, pii bool
	classification                    string
	items                             *field
	fields                            []field
}

func (m *mesh) stats() Stats {
	st := Stats{Domains: len(m.domains)}
	for _, d := range m.domains {
		st.Products += len(d.products)
		for _, p := range d.products {
			st.InputPorts += len(p.inputs)
			st.OutputPorts += len(p.ports)
			for _, pt := range p.ports {
				for _, f := range pt.schema {
					st.Fields += 1 + len(f.fields)
					if f.items != nil {
						st.Fields++
					}
				}
			}
		}
	}
	return st
}

// config is mesh.cue.
func (m *mesh) config() []byte {
	var b bytes.Buffer
	b.WriteString("// A synthetic mesh written by meshgen.\n")
	fmt.Fprintf(&b, "platform: name: %s\n\n", q(Org))
	b.WriteString("domains: {\n")
	for _, d := range m.domains {
		fmt.Fprintf(&b, "%s: {path: %s}\n", d.name, q("./domains/"+d.name))
	}
	b.WriteString("}\n")
	return cuefmt(b.Bytes())
}

// source is the domain's domain.cue.
func (d *domain) source() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "package %s\n\n", d.name)
	b.WriteString("domain: {\n")
	fmt.Fprintf(&b, "title: %s\n", q(d.title))
	fmt.Fprintf(&b, "description: %s\n", q(d.description))
	fmt.Fprintf(&b, "team: {name: %s, github: %s, email: %s}\n", q(d.team), q(d.github), q(d.email))
	b.WriteString("}\n")
	return cuefmt(b.Bytes())
}

// source is the product's own file in its domain's package.
func (p *product) source(pkg string) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "package %s\n\n", pkg)
	fmt.Fprintf(&b, "products: %s: {\n", p.name)
	fmt.Fprintf(&b, "title: %s\n", q(p.title))
	fmt.Fprintf(&b, "description: %s\n", q(p.description))
	fmt.Fprintf(&b, "version: %s\n", q(p.version))
	fmt.Fprintf(&b, "status: %s\n", q(p.status))
	fmt.Fprintf(&b, "classification: %s\n", q(p.classification))
	fmt.Fprintf(&b, "tags: [%s]\n", list(p.tags))
	if s := p.slo; s != nil {
		fmt.Fprintf(&b, "slo: {freshness: %s, availability: %s", q(s.freshness), s.availability)
		if s.retention != "" {
			fmt.Fprintf(&b, ", retention: %s", q(s.retention))
		}
		b.WriteString("}\n")
	}
	if dp := p.deprecation; dp != nil {
		fmt.Fprintf(&b, "deprecation: {\nsunset: %s\nreason: %s\n}\n", q(dp.sunset), q(dp.reason))
	}
	if len(p.inputs) > 0 {
		b.WriteString("inputPorts: {\n")
		for _, in := range p.inputs {
			fmt.Fprintf(&b, "%s: {product: %s, port: %s", in.name, q(in.product), q(in.port))
			if in.description != "" {
				fmt.Fprintf(&b, ", description: %s", q(in.description))
			}
			b.WriteString("}\n")
		}
		b.WriteString("}\n")
	}
	b.WriteString("outputPorts: {\n")
	for _, pt := range p.ports {
		fmt.Fprintf(&b, "%s: {\n", pt.name)
		fmt.Fprintf(&b, "description: %s\n", q(pt.description))
		fmt.Fprintf(&b, "type: %s\n", q(pt.typ))
		fmt.Fprintf(&b, "location: %s\n", q(pt.location))
		if pt.format != "" {
			fmt.Fprintf(&b, "format: %s\n", q(pt.format))
		}
		if len(pt.allow) > 0 {
			fmt.Fprintf(&b, "access: {visibility: %s, allow: [%s]}\n", q(pt.visibility), list(pt.allow))
		} else {
			fmt.Fprintf(&b, "access: visibility: %s\n", q(pt.visibility))
		}
		b.WriteString("schema: {\n")
		for _, f := range pt.schema {
			writeField(&b, f)
		}
		b.WriteString("}\n}\n")
	}
	b.WriteString("}\n}\n")
	return cuefmt(b.Bytes())
}

func writeField(b *bytes.Buffer, f schemaField) {
	// Fields with nested fields span lines, as people write them; flat
	// fields take one line each.
	sep := ", "
	nested := f.items != nil || len(f.fields) > 0
	if nested {
		sep = "\n"
	}
	fmt.Fprintf(b, "%s: {", f.name)
	if nested {
		b.WriteString("\n")
	}
	fmt.Fprintf(b, "type: %s", q(f.typ))
	flag := func(name string, on bool) {
		if on {
			fmt.Fprintf(b, "%s%s: true", sep, name)
		}
	}
	flag("required", f.required)
	flag("unique", f.unique)
	flag("primaryKey", f.primaryKey)
	flag("pii", f.pii)
	if f.classification != "" {
		fmt.Fprintf(b, "%sclassification: %s", sep, q(f.classification))
	}
	fmt.Fprintf(b, "%sdescription: %s", sep, q(f.desc))
	switch {
	case f.items != nil:
		fmt.Fprintf(b, "\nitems: {type: %s, description: %s}\n", q(f.items.typ), q(f.items.desc))
	case len(f.fields) > 0:
		b.WriteString("\nfields: {\n")
		for _, sub := range f.fields {
			fmt.Fprintf(b, "%s: {type: %s, description: %s}\n", sub.name, q(sub.typ), q(sub.desc))
		}
		b.WriteString("}\n")
	}
	b.WriteString("}\n")
}

func q(s string) string { return strconv.Quote(s) }

func list(s []string) string {
	qs := make([]string, len(s))
	for i, e := range s {
		qs[i] = q(e)
	}
	return strings.Join(qs, ", ")
}

// cuefmt formats src as `cue fmt` does, so that the files look like the ones
// teams commit. The generator writes only valid syntax; a failure is a bug.
func cuefmt(src []byte) []byte {
	out, err := format.Source(src)
	if err != nil {
		panic(fmt.Sprintf("meshgen: generated invalid CUE: %v\n%s", err, src))
	}
	return out
}
