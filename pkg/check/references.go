package check

import (
	"fmt"
	"strings"

	"github.com/meshc-dev/meshc/pkg/catalog"
	"github.com/meshc-dev/meshc/pkg/diag"
	"github.com/meshc-dev/meshc/pkg/fuzzy"
	"github.com/meshc-dev/meshc/pkg/rule"
)

var _ = register(rule.Rule{
	ID: "unresolved-input", Code: "unresolved-input", Stage: rule.Mesh,
	Purpose: "every input port and replacedBy names an existing product and output port",
	Explanation: `An input port reads one output port of another product, and a deprecation's
replacedBy names the product that takes over: both must exist in the mesh.
A misspelt id gets the closest one as a suggestion:

  inputPorts: checkout: {product: "customers.customer_profile", port: "profiles"}

  domains/orders/orders.cue:4:13: unresolved-input: input port "checkout" reads customers.customer_profile, which is not a product of the mesh (did you mean customers.customer_profiles?)

A port that the product does not have is reported with the ports it has. A
reference to a product that failed the schema, or to a domain that could not
be evaluated, is not reported: that product's own error explains it. Fix the
id or port, or remove the input.`,
}, unresolved)

// unresolved reports input ports and replacements that name no product or
// no output port.
func unresolved(m *Mesh) diag.Diagnostics {
	var ds diag.Diagnostics
	for _, e := range m.edges() {
		switch {
		case m.known(e.in.Product):
			// Its own schema error explains it.
		case e.producer == nil:
			ds = append(ds, m.at(diag.Errorf("unresolved-input",
				"input port %q reads %s, which is not a product of the mesh%s",
				e.input, e.in.Product, suggest(m, e.in.Product)), e.consumer, "inputPorts", e.input, "product"))
		case !hasPort(e.producer, e.in.Port):
			ds = append(ds, m.at(diag.Errorf("unresolved-input",
				"input port %q reads port %q of %s, which has no such output port (it has: %s)",
				e.input, e.in.Port, e.in.Product, strings.Join(catalog.SortedKeys(e.producer.OutputPorts), ", ")),
				e.consumer, "inputPorts", e.input, "port"))
		}
	}
	for _, id := range m.ProductIDs() {
		p := m.Products[id]
		if p.Deprecation == nil || p.Deprecation.ReplacedBy == "" || m.Context[id] {
			continue
		}
		r := p.Deprecation.ReplacedBy
		switch {
		case m.known(r):
		case r == p.ID:
			ds = append(ds, m.at(diag.Errorf("unresolved-input", "deprecation.replacedBy names the product itself"), p, "deprecation", "replacedBy"))
		case m.Products[r] == nil:
			ds = append(ds, m.at(diag.Errorf("unresolved-input",
				"deprecation.replacedBy names %s, which is not a product of the mesh%s", r, suggest(m, r)), p, "deprecation", "replacedBy"))
		}
	}
	return ds
}

func hasPort(p *catalog.Product, port string) bool {
	_, ok := p.OutputPorts[port]
	return ok
}

// suggest names the closest product id, for typos.
func suggest(m *Mesh, id string) string {
	ids := m.Known
	if ids == nil {
		ids = m.ProductIDs()
	}
	if best := fuzzy.Closest(id, ids, 4); best != "" {
		return fmt.Sprintf(" (did you mean %s?)", best)
	}
	return ""
}

var _ = register(rule.Rule{
	ID: "access", Code: "access", Stage: rule.Mesh,
	Purpose: "a product consumes only ports whose access allows its domain",
	Explanation: `An output port's access says who may read it: public (every domain),
domain (its own domain only) or restricted (its domain and the domains in
allow). A product of another domain consuming it is an error at its input
port, naming the owners to ask:

  // domains/customers: outputPorts: profiles: access: {visibility: "restricted", allow: ["finance"]}
  // domains/orders:
  inputPorts: checkout: {product: "customers.customer_profiles", port: "profiles"}

  domains/orders/orders.cue:17:14: access: input port "checkout" reads customers.customer_profiles port "profiles", which is restricted to customers, finance: ask its owners (@acme/customers) to allow domain orders

Fix it by asking the owners to add your domain to allow, or by reading a
port that is open to you. While the request is pending, a waiver in mesh.cue
can accept it: {rule: "access", product: "orders.order_events", reason: "...", expires: "..."}.`,
}, access)

// access reports consumers whose domain a port's access does not allow.
func access(m *Mesh) diag.Diagnostics {
	var ds diag.Diagnostics
	for _, e := range m.edges() {
		if e.producer == nil {
			continue
		}
		port, ok := e.producer.OutputPorts[e.in.Port]
		if !ok || port.Access.Allows(e.producer.Domain, e.consumer.Domain) {
			continue
		}
		var why string
		team := ""
		if d := m.Domains[e.producer.Domain]; d != nil {
			team = " (" + d.Team.GitHub + ")"
		}
		switch port.Access.Visibility {
		case catalog.VisibilityDomain:
			why = fmt.Sprintf("is visible to domain %s only", e.producer.Domain)
		default:
			why = fmt.Sprintf("is restricted to %s", strings.Join(append([]string{e.producer.Domain}, port.Access.Allow...), ", "))
		}
		ds = append(ds, m.at(diag.Errorf("access",
			"input port %q reads %s port %q, which %s: ask its owners%s to allow domain %s",
			e.input, e.producer.ID, e.in.Port, why, team, e.consumer.Domain), e.consumer, "inputPorts", e.input))
	}
	return ds
}

var _ = register(rule.Rule{
	ID: "lifecycle", Code: "lifecycle", Stage: rule.Mesh,
	Purpose: "nothing consumes a retired product; consuming a deprecated one warns with its sunset date",
	Explanation: `A retired product is no longer maintained: consuming it is an error. A
deprecated product still works until its sunset: consuming it is a warning
with the date and, when the producer named one, the replacement:

  domains/orders/orders.cue:4:2: lifecycle: warning: input port "old" reads customers.old_profiles, which is deprecated, sunset 2030-06-30: move to customers.customer_profiles
  domains/orders/orders.cue:5:2: lifecycle: input port "ancient" reads customers.ancient_profiles, which is retired: move to another source

Fix it by moving the input port to the replacement. The plan's lifecycle
rules (lifecycle-order, lifecycle-removal, lifecycle-consumers,
lifecycle-sunset) report under the same code, so a waiver of "lifecycle"
covers them too; waive one of them by its own ID.`,
}, lifecycle)

// lifecycle reports consumers of retired and deprecated products.
func lifecycle(m *Mesh) diag.Diagnostics {
	var ds diag.Diagnostics
	for _, e := range m.edges() {
		if e.producer == nil {
			continue
		}
		switch e.producer.Status {
		case catalog.StatusRetired:
			ds = append(ds, m.at(diag.Errorf("lifecycle",
				"input port %q reads %s, which is retired%s", e.input, e.producer.ID, replacement(e.producer)),
				e.consumer, "inputPorts", e.input))
		case catalog.StatusDeprecated:
			sunset := ""
			if dep := e.producer.Deprecation; dep != nil {
				sunset = ", sunset " + dep.Sunset
			}
			ds = append(ds, m.at(diag.Warningf("lifecycle",
				"input port %q reads %s, which is deprecated%s%s", e.input, e.producer.ID, sunset, replacement(e.producer)),
				e.consumer, "inputPorts", e.input))
		}
	}
	return ds
}

func replacement(p *catalog.Product) string {
	if p.Deprecation == nil || p.Deprecation.ReplacedBy == "" {
		return ": move to another source"
	}
	return ": move to " + p.Deprecation.ReplacedBy
}
