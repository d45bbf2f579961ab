package render

import (
	"fmt"
	"io"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/meshc-dev/meshc/pkg/catalog"
)

// nodeID turns a product id into an identifier Mermaid and DOT accept:
// the dot between domain and product becomes "__" (names hold single
// underscores), anything else outside [A-Za-z0-9_] becomes "_".
func nodeID(id string) string {
	return strings.Map(func(r rune) rune {
		if r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_') {
			return r
		}
		return '_'
	}, strings.ReplaceAll(id, ".", "__"))
}

// Mermaid writes the lineage of products as a Mermaid flowchart: one
// subgraph per domain, an edge from each producer to each consumer labelled
// with the port read.
func Mermaid(w io.Writer, m *catalog.Mesh) error {
	var b strings.Builder
	b.WriteString("flowchart LR\n")
	for _, name := range m.DomainNames() {
		fmt.Fprintf(&b, "  subgraph %s[%q]\n", nodeID("domain."+name), name)
		for _, id := range m.ProductIDs() {
			if p := m.Products[id]; p.Domain == name {
				fmt.Fprintf(&b, "    %s[%q]\n", nodeID(id), id+" "+p.Version)
			}
		}
		b.WriteString("  end\n")
	}
	for _, e := range edges(m) {
		fmt.Fprintf(&b, "  %s -- %s --> %s\n", nodeID(e.producer), e.port, nodeID(e.consumer))
	}
	for _, id := range m.ProductIDs() {
		switch m.Products[id].Status {
		case catalog.StatusDeprecated, catalog.StatusRetired:
			fmt.Fprintf(&b, "  class %s %s\n", nodeID(id), m.Products[id].Status)
		}
	}
	b.WriteString("  classDef deprecated stroke-dasharray: 5 5\n  classDef retired fill:#eee,color:#999\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// DOT writes the lineage of products as a Graphviz digraph.
func DOT(w io.Writer, m *catalog.Mesh) error {
	var b strings.Builder
	b.WriteString("digraph mesh {\n  rankdir=LR;\n  node [shape=box];\n")
	for _, name := range m.DomainNames() {
		fmt.Fprintf(&b, "  subgraph %q {\n    label=%q;\n", "cluster_"+name, name)
		for _, id := range m.ProductIDs() {
			if p := m.Products[id]; p.Domain == name {
				style := ""
				switch p.Status {
				case catalog.StatusDeprecated:
					style = ", style=dashed"
				case catalog.StatusRetired:
					style = ", style=filled, fillcolor=gray90"
				}
				fmt.Fprintf(&b, "    %q [label=%q%s];\n", id, id+"\n"+p.Version+" "+p.Status, style)
			}
		}
		b.WriteString("  }\n")
	}
	for _, e := range edges(m) {
		fmt.Fprintf(&b, "  %q -> %q [label=%q];\n", e.producer, e.consumer, e.port)
	}
	b.WriteString("}\n")
	_, err := io.WriteString(w, b.String())
	return err
}

type lineageEdge struct{ producer, port, consumer string }

// edges returns every input port of m whose producer is in m, sorted.
func edges(m *catalog.Mesh) []lineageEdge {
	var out []lineageEdge
	for _, id := range m.ProductIDs() {
		p := m.Products[id]
		for _, name := range catalog.SortedKeys(p.InputPorts) {
			in := p.InputPorts[name]
			if _, ok := m.Products[in.Product]; ok {
				out = append(out, lineageEdge{producer: in.Product, port: in.Port, consumer: id})
			}
		}
	}
	return out
}

// Lineage is the JSON form of a mesh's lineage graph.
type Lineage struct {
	Nodes []LineageNode `json:"nodes"`
	Edges []LineageEdge `json:"edges"`
}

// LineageNode is one product of the graph.
type LineageNode struct {
	Product string `json:"product"`
	Domain  string `json:"domain"`
	Version string `json:"version"`
	Status  string `json:"status"`
	Team    string `json:"team,omitempty"`
}

// LineageEdge is one input port: consumer reads producer's port.
type LineageEdge struct {
	Producer string `json:"producer"`
	Port     string `json:"port"`
	Consumer string `json:"consumer"`
}

// LineageOf returns m's lineage graph, sorted.
func LineageOf(m *catalog.Mesh) Lineage {
	l := Lineage{Nodes: []LineageNode{}, Edges: []LineageEdge{}}
	for _, id := range m.ProductIDs() {
		p := m.Products[id]
		n := LineageNode{Product: id, Domain: p.Domain, Version: p.Version, Status: p.Status}
		if d := m.Domains[p.Domain]; d != nil {
			n.Team = d.Team.GitHub
		}
		l.Nodes = append(l.Nodes, n)
	}
	for _, e := range edges(m) {
		l.Edges = append(l.Edges, LineageEdge{Producer: e.producer, Port: e.port, Consumer: e.consumer})
	}
	return l
}

// mermaidFormat draws lineage as a Mermaid flowchart (GitHub renders it).
type mermaidFormat struct{}

func init() { register(mermaidFormat{}, 20) }

func (mermaidFormat) Name() string { return "mermaid" }

func (mermaidFormat) Graph(w io.Writer, m *catalog.Mesh, _ Options) error { return Mermaid(w, m) }

// dotFormat draws lineage for Graphviz.
type dotFormat struct{}

func init() { register(dotFormat{}, 30) }

func (dotFormat) Name() string { return "dot" }

func (dotFormat) Graph(w io.Writer, m *catalog.Mesh, _ Options) error { return DOT(w, m) }
