package check

import (
	"strings"

	"github.com/meshc-dev/meshc/pkg/catalog"
	"github.com/meshc-dev/meshc/pkg/diag"
)

// Rule is one check with a stable ID.
type Rule struct {
	ID      string
	Purpose string
	// Stage is where the rule is enforced: "compile" (CUE evaluation),
	// "mesh" (this package) or "plan" (the diff against the live catalog).
	Stage string
	// Check runs the rule; nil for rules enforced elsewhere.
	Check func(*Mesh) diag.Diagnostics `json:"-"`
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
}

// known reports whether id's problems are reported already: it failed the
// schema, or its whole domain did.
func (m *Mesh) known(id string) bool {
	domain, _, _ := strings.Cut(id, ".")
	return m.Invalid[id] || m.Failed[domain]
}

// Rules returns every mesh-level rule, in a stable order. Codes emitted by
// compilation are listed too, so that `meshc rules` documents every code.
func Rules() []Rule {
	return []Rule{
		{ID: "schema", Stage: "compile", Purpose: "every domain's CUE is valid and satisfies the platform schema and policies"},
		{ID: "source", Stage: "compile", Purpose: "every domain's directory holds one CUE package"},
		{ID: "ownership", Stage: "mesh", Purpose: "a domain declares only its own name and products, and no two domains share a source", Check: ownership},
		{ID: "unresolved-input", Stage: "mesh", Purpose: "every input port and replacedBy names an existing product and output port", Check: unresolved},
		{ID: "cycle", Stage: "mesh", Purpose: "products do not consume each other in a cycle", Check: cycles},
		{ID: "access", Stage: "mesh", Purpose: "a product consumes only ports whose access allows its domain", Check: access},
		{ID: "lifecycle", Stage: "mesh", Purpose: "nothing consumes a retired product; consuming a deprecated one warns with its sunset date", Check: lifecycle},
		{ID: "duplicate", Stage: "mesh", Purpose: "no two output ports publish to the same location", Check: duplicates},
	}
}

// Run runs every mesh rule and returns their diagnostics, sorted.
func Run(m *Mesh) diag.Diagnostics {

	var ds diag.Diagnostics
	for _, r := range Rules() {
		if r.Check != nil {
			ds = append(ds, r.Check(m)...)
		}
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
		for _, name := range catalog.SortedKeys(p.InputPorts) {
			in := p.InputPorts[name]
			es = append(es, edge{consumer: p, input: name, in: in, producer: m.Products[in.Product]})
		}
	}
	return es
}
