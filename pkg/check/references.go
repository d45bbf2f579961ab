package check

import (
	"fmt"
	"strings"

	"github.com/meshc-dev/meshc/pkg/catalog"
	"github.com/meshc-dev/meshc/pkg/diag"
	"github.com/meshc-dev/meshc/pkg/fuzzy"
)

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
		if p.Deprecation == nil || p.Deprecation.ReplacedBy == "" {
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
	if best := fuzzy.Closest(id, m.ProductIDs(), 4); best != "" {
		return fmt.Sprintf(" (did you mean %s?)", best)
	}
	return ""
}

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
