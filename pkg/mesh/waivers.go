package mesh

import (
	"github.com/meshc-dev/meshc/pkg/catalog"
	"github.com/meshc-dev/meshc/pkg/rule"
)

// WaiverScope returns what mesh.cue's waivers may name in this mesh: its
// domains, and as known products those it declares (valid or failing the
// schema, or taken from the live catalog) and those of live, the live
// catalog's products (a product being removed is only live, and its
// removal is what one waives). Domains that could not be evaluated or read
// are open: their products are not all known. A nil live means no live
// catalog was read, so every domain is open.
func (r *Result) WaiverScope(live map[string]*catalog.Product) rule.Scope {
	s := rule.Scope{Domains: r.Config.DomainNames(), Products: map[string]bool{}, Open: map[string]bool{}, Rules: rule.WithRules(r.Rules)}
	for id := range r.Mesh.Products {
		s.Products[id] = true
	}
	for id := range r.Invalid {
		s.Products[id] = true
	}
	for id := range live {
		s.Products[id] = true
	}
	for name := range r.Failed {
		s.Open[name] = true
	}
	for name := range r.Unreadable {
		s.Open[name] = true
	}
	// Failed is nil when the schema itself failed: no domain was compiled.
	if live == nil || r.Failed == nil {
		for _, name := range s.Domains {
			s.Open[name] = true
		}
	}
	return s
}
