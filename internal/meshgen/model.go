package meshgen

import (
	"strconv"

	"github.com/meshc-dev/meshc/pkg/catalog"
)

// Mesh returns the mesh Write would write, as the model meshc compiles it
// to, without writing or compiling CUE: for benchmarks of what comes after
// compiling (the site, the plan).
func Mesh(o Options) *catalog.Mesh {
	o = o.withDefaults()
	g := generate(o)
	m := catalog.NewMesh()
	for _, d := range g.domains {
		dom := &catalog.Domain{Name: d.name, Title: d.title, Description: d.description,
			Team: catalog.Team{Name: d.team, GitHub: d.github, Email: d.email}}
		var products []*catalog.Product
		for _, p := range d.products {
			products = append(products, p.model(d.name))
		}
		m.Add(dom, products)
	}
	return m
}

func (p *product) model(domain string) *catalog.Product {
	cp := &catalog.Product{
		ID: domain + "." + p.name, Name: p.name, Domain: domain, Title: p.title, Description: p.description,
		Version: p.version, Status: p.status, Classification: p.classification, Tags: p.tags,
		OutputPorts: map[string]catalog.OutputPort{},
	}
	if p.slo != nil {
		cp.SLO = &catalog.SLO{Freshness: p.slo.freshness, Retention: p.slo.retention}
		if a, err := strconv.ParseFloat(p.slo.availability, 64); err == nil {
			cp.SLO.Availability = &a
		}
	}
	if p.deprecation != nil {
		cp.Deprecation = &catalog.Deprecation{Sunset: p.deprecation.sunset, Reason: p.deprecation.reason}
	}
	if len(p.inputs) > 0 {
		cp.InputPorts = map[string]catalog.InputPort{}
		for _, in := range p.inputs {
			cp.InputPorts[in.name] = catalog.InputPort{Product: in.product, Port: in.port, Description: in.description}
		}
	}
	for _, pt := range p.ports {
		op := catalog.OutputPort{Description: pt.description, Type: pt.typ, Location: pt.location, Format: pt.format,
			Access: catalog.Access{Visibility: pt.visibility, Allow: pt.allow}, Schema: map[string]catalog.Field{}}
		for _, f := range pt.schema {
			cf := catalog.Field{Type: f.typ, Description: f.desc, Required: f.required, Unique: f.unique,
				PrimaryKey: f.primaryKey, PII: f.pii, Classification: f.classification}
			if f.items != nil {
				cf.Items = &catalog.Field{Type: f.items.typ, Description: f.items.desc}
			}
			if len(f.fields) > 0 {
				cf.Fields = map[string]catalog.Field{}
				for _, sub := range f.fields {
					cf.Fields[sub.name] = catalog.Field{Type: sub.typ, Description: sub.desc}
				}
			}
			op.Schema[f.name] = cf
		}
		cp.OutputPorts[pt.name] = op
	}
	return cp
}
