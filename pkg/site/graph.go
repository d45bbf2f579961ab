package site

import (
	"fmt"
	"html/template"
	"maps"
	"slices"

	"github.com/meshc-dev/meshc/pkg/catalog"
	"github.com/meshc-dev/meshc/pkg/lineage"
)

// producers returns the products id reads, sorted and without repeats.
func (b *builder) producers(id string) []string {
	var out []string
	p := b.m.Products[id]
	if p == nil {
		return nil
	}
	for _, name := range catalog.SortedKeys(p.InputPorts) {
		if in := p.InputPorts[name].Product; in != id && !slices.Contains(out, in) {
			out = append(out, in)
		}
	}
	slices.Sort(out)
	return out
}

// neighbourhood returns the lineage around id: two hops up- and
// downstream, nearest first, at most neighbourhood products; and the cut
// when it stopped short.
func (b *builder) neighbourhood(id, from string) (lineage.Graph, int) {
	included := []string{id}
	in := map[string]bool{id: true}
	cut := 0
	frontier := map[bool][]string{true: {id}, false: {id}}
	for hop := 0; hop < 2; hop++ {
		for _, up := range []bool{true, false} {
			var next []string
			for _, n := range frontier[up] {
				ns := b.readers[n]
				if up {
					ns = b.producers(n)
				}
				for _, x := range ns {
					if in[x] {
						continue
					}
					if len(included) == neighbourhood {
						cut = neighbourhood
						continue
					}
					in[x] = true
					included = append(included, x)
					next = append(next, x)
				}
			}
			frontier[up] = next
		}
	}
	return b.graphOf(included, id, from), cut
}

// graphOf returns the lineage graph of products ids, with every edge
// between them; focus is drawn emphasised.
func (b *builder) graphOf(ids []string, focus, from string) lineage.Graph {
	var g lineage.Graph
	in := map[string]bool{}
	for _, id := range ids {
		in[id] = true
	}
	for _, id := range ids {
		g.Nodes = append(g.Nodes, b.node(id, from, id == focus))
	}
	for _, id := range ids {
		for _, p := range b.producers(id) {
			if in[p] {
				g.Edges = append(g.Edges, lineage.Edge{From: p, To: id})
			}
		}
	}
	return g
}

func (b *builder) node(id, from string, focus bool) lineage.Node {
	p := b.m.Products[id]
	if p == nil {
		return lineage.Node{ID: id, Label: id, Sub: "not in the catalog", Class: "missing", Title: id + " is not in the catalog"}
	}
	name := p.Name
	if name == "" {
		name = id
	}
	return lineage.Node{
		ID: id, Label: name, Sub: p.Domain + " · " + p.Status + " · " + p.Version, Class: "st-" + statusClass(p.Status),
		Href: b.productHref(from, id), Title: orID(p.Title, id) + " (" + p.Status + ")", Focus: focus,
	}
}

func (b *builder) svg(g lineage.Graph, id, label string) (template.HTML, error) {
	return lineage.SVG(lineage.Layout(g), id, label)
}

// domainGraph returns the lineage of a domain: its products, then the
// products outside it that they read or that read them, at most
// domainGraph products.
func (b *builder) domainGraph(domain, from string) (lineage.Graph, int) {
	var ids []string
	in := map[string]bool{}
	add := func(id string) bool {
		if in[id] {
			return true
		}
		if len(ids) == domainGraph {
			return false
		}
		in[id] = true
		ids = append(ids, id)
		return true
	}
	cut := 0
	own := b.productsOf(domain)
	for _, id := range own {
		if !add(id) {
			cut = domainGraph
		}
	}
	for _, id := range own {
		for _, x := range append(b.producers(id), b.readers[id]...) {
			if !add(x) {
				cut = domainGraph
			}
		}
	}
	return b.graphOf(ids, "", from), cut
}

// productsOf returns the ids of domain's products, sorted.
func (b *builder) productsOf(domain string) []string { return b.byDomain[domain] }

type lineageView struct {
	Note    string
	Lineage template.HTML
	Domains []domainDeps // when the mesh is too big to draw
}

// domainDeps is a domain and the domains it reads from and is read by.
type domainDeps struct {
	Name, Href    string
	Reads, ReadBy []link
	Products      int
}

// meshLineage draws the whole mesh: product by product when it is small
// enough to read, else domain by domain; a mesh of more domains than a
// drawing can show is a table of who reads whom, each domain's page
// drawing its part.
func (b *builder) meshLineage() error {
	const path = "lineage.html"
	domains := b.domainNames()
	reads := map[string]map[string]bool{} // consumer domain -> producer domains
	for _, id := range b.ids {
		to := b.m.Products[id].Domain
		for _, p := range b.producers(id) {
			if from := domainOf(p); from != to {
				if reads[to] == nil {
					reads[to] = map[string]bool{}
				}
				reads[to][from] = true
			}
		}
	}
	var v lineageView
	var g lineage.Graph
	switch {
	case len(b.ids) <= meshGraph:
		g = b.graphOf(b.ids, "", path)
		v.Note = fmt.Sprintf("Every product of the mesh (%d) and what it reads.", len(b.ids))
	case len(domains) <= meshDomains:
		v.Note = fmt.Sprintf("The mesh has %d products, too many to draw one by one: each box is a domain, and an arrow means a product of one reads a product of the other. Each domain's page draws its products.", len(b.ids))
		for _, name := range domains {
			t := b.teamOf(name, path)
			g.Nodes = append(g.Nodes, lineage.Node{ID: name, Label: name, Sub: fmt.Sprintf("%d products · %s", len(b.productsOf(name)), t.Name),
				Class: "domain", Href: rel(path, b.domains.path(name)), Title: name})
		}
		for _, to := range domains {
			for _, from := range slices.Sorted(maps.Keys(reads[to])) {
				g.Edges = append(g.Edges, lineage.Edge{From: from, To: to})
			}
		}
	default:
		v.Note = fmt.Sprintf("The mesh has %d products in %d domains, too many to draw: each domain's page draws its products, what they read and who reads them. Here is who reads whom.", len(b.ids), len(domains))
		readBy := map[string][]string{}
		for _, to := range domains {
			for from := range reads[to] {
				readBy[from] = append(readBy[from], to)
			}
		}
		links := func(names []string) []link {
			slices.Sort(names)
			var out []link
			for _, n := range names {
				out = append(out, link{ID: n, Href: rel(path, b.domains.path(n))})
			}
			return out
		}
		for _, name := range domains {
			v.Domains = append(v.Domains, domainDeps{Name: name, Href: rel(path, b.domains.path(name)), Products: len(b.productsOf(name)),
				Reads: links(slices.Collect(maps.Keys(reads[name]))), ReadBy: links(readBy[name])})
		}
		return b.render("lineage", path, "Lineage", v, "", "")
	}
	svg, err := b.svg(g, "lineage-mesh", "Lineage of the mesh")
	if err != nil {
		return err
	}
	v.Lineage = svg
	return b.render("lineage", path, "Lineage", v, "", "")
}
