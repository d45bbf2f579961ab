package check

import (
	"slices"
	"strings"

	"github.com/meshc-dev/meshc/pkg/catalog"
	"github.com/meshc-dev/meshc/pkg/diag"
	"github.com/meshc-dev/meshc/pkg/rule"
)

// Rule is one mesh rule: its registered description and its check.
type Rule struct {
	rule.Rule
	Check func(*Mesh) diag.Diagnostics `json:"-"`
}

// rules are the mesh rules, in the order they registered.
var rules []Rule

// register registers r in the rule list with check as its handler; every
// mesh rule does so next to its handler.
func register(r rule.Rule, check func(*Mesh) diag.Diagnostics) rule.Rule {
	rules = append(rules, Rule{Rule: rule.Register(r), Check: check})
	return r
}

// Mesh is what the mesh rules look at.
type Mesh struct {
	*catalog.Mesh
	// Invalid holds products that were declared but failed the schema:
	// references to them are not "unknown", their problem is reported
	// already.
	Invalid map[string]bool
	// Failed holds domains that could not be evaluated at all.
	Failed map[string]bool
	// Live holds the live catalog's products when it was read: rules that
	// blame a newcomer (duplicate) tell from it who held a claim first.
	Live map[string]*catalog.Product
	// Teams holds the GitHub handle mesh.cue assigns to a domain, by
	// domain name; a domain without one is not in it.
	Teams map[string]string
	// Known, when the mesh holds only part of the products (a check of
	// one domain against part of the live catalog), is every product id
	// of the whole, for suggestions; nil means the mesh's own.
	Known []string
	// Context names the products of such a part that are there only as
	// what others read: their own inputs are not all there, so the rules
	// do not follow them.
	Context map[string]bool
}

// known reports whether id's problems are reported already: it failed the
// schema, or its whole domain did, or the domain declares a product whose
// name fails the schema and is id's name but for case and '-' (a reference
// to "orders.order_events" when "Order-Events" was declared: the bad name
// is the one mistake, reported once).
func (m *Mesh) known(id string) bool {
	domain, name, _ := strings.Cut(id, ".")
	if m.Invalid[id] || m.Failed[domain] {
		return true
	}
	for inv := range m.Invalid {
		d, n, _ := strings.Cut(inv, ".")
		if d == domain && n != name && strings.ReplaceAll(strings.ToLower(n), "-", "_") == name {
			return true
		}
	}
	return false
}

// Rules returns the mesh rules with their checks. rule.All lists them
// among every other stage's rules.
func Rules() []Rule { return slices.Clone(rules) }

// Run runs every mesh rule and returns their diagnostics, sorted.
func Run(m *Mesh) diag.Diagnostics {
	var ds diag.Diagnostics
	for _, r := range rules {
		ds = append(ds, r.Check(m)...)
	}
	ds.Sort()
	return ds.Compact()
}

// at returns d placed at path in p's domain, naming p.
func (m *Mesh) at(d diag.Diagnostic, p *catalog.Product, path ...string) diag.Diagnostic {
	d.Domain, d.Product = p.Domain, p.ID
	return d.At(m.Locate(p.Domain, p.Path(path...)))
}

// edge is one input port: consumer reads port of producer.
type edge struct {
	consumer *catalog.Product
	input    string
	in       catalog.InputPort
	producer *catalog.Product // nil when unknown
}

// edges returns every input port of the mesh, in a stable order.
func (m *Mesh) edges() []edge {
	var es []edge
	for _, id := range m.ProductIDs() {
		p := m.Products[id]
		if m.Context[id] {
			continue
		}
		for _, name := range catalog.SortedKeys(p.InputPorts) {
			in := p.InputPorts[name]
			es = append(es, edge{consumer: p, input: name, in: in, producer: m.Products[in.Product]})
		}
	}
	return es
}
