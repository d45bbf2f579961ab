package rule

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/meshc-dev/meshc/pkg/diag"
	"github.com/meshc-dev/meshc/pkg/fuzzy"
)

var _ = Register(Rule{
	ID: "waiver", Code: diag.WaiverCode, Stage: Config,
	Purpose: "a waiver in mesh.cue names a known rule and product or domain, and has not expired while its diagnostics remain",
	Explanation: `A waiver accepts one rule's diagnostics for a product or a domain, until a
date, for a reason. It is checked like the rest of mesh.cue:

  - its rule must be a rule ID or a diagnostic code that ` + "`meshc rules`" + ` lists;
  - its domain must be a domain of mesh.cue;
  - its product must be "<domain>.<product>" of a domain of mesh.cue, and a
    product the mesh declares (valid or not) or the live catalog holds.

A waiver that names nothing would silently waive nothing, so each of these
is an error at the waiver's line, with the closest name:

  waivers: [{rule: "field-remove", product: "orders.orders", reason: "...", expires: "2027-01-31"}]

  mesh.cue:7:11: waiver: waivers.0.rule: "field-remove" is not a rule ID or diagnostic code (did you mean field-removed?): run meshc rules for the list

A waiver past its expires date no longer applies: while it still matches a
diagnostic, that diagnostic counts again and the waiver warns at its line:

  mesh.cue:7:11: waiver: warning: the waiver of field-removed for orders.orders expired on 2027-01-31, so its diagnostics count again: fix them or extend the waiver

Fix the name, fix the diagnostics it waived, or move expires forward.`,
})

// Scope is what the waivers of mesh.cue may name.
type Scope struct {
	// Domains holds the domains of mesh.cue.
	Domains []string
	// Products holds every product known to exist: declared in the mesh,
	// valid or failing the schema, and held by the live catalog (a product
	// being removed is live only, and its removal is what one waives).
	Products map[string]bool
	// Open holds the domains whose products cannot all be known: their CUE
	// could not be evaluated, their source could not be read, or no live
	// catalog was read. A waiver may name any product of them.
	Open map[string]bool
	// Rules is the rules a waiver may name: the registered ones and the
	// platform policies'; nil is the registered ones.
	Rules *Set
}

// CheckWaivers returns an error, at its line in mesh.cue, for each waiver
// that names no registered rule or code, no domain of the mesh, or no
// product the scope knows; each says which name was probably meant.
func CheckWaivers(ws []diag.Waiver, s Scope) diag.Diagnostics {
	domains := slices.Sorted(slices.Values(s.Domains))
	products := slices.Sorted(maps.Keys(s.Products))
	var ds diag.Diagnostics
	for i, w := range ws {
		field := func(name, format string, args ...any) {
			ds = append(ds, diag.Errorf(diag.WaiverCode, "waivers.%d.%s: %s", i, name, fmt.Sprintf(format, args...)).At(w.Pos))
		}
		if !s.Rules.Known(w.Rule) {
			field("rule", "%q is not a rule ID or diagnostic code%s: run meshc rules for the list", w.Rule, didYouMean(s.Rules.Suggest(w.Rule)))
		}
		if w.Domain != "" && !slices.Contains(domains, w.Domain) {
			field("domain", "%q is not a domain of mesh.cue%s", w.Domain, didYouMean(fuzzy.Closest(w.Domain, domains, 4)))
		}
		if w.Product == "" {
			continue
		}
		domain, _, ok := strings.Cut(w.Product, ".")
		switch {
		case !ok:
			field("product", "%q is not a product id \"<domain>.<product>\"%s", w.Product, didYouMean(fuzzy.Closest(w.Product, products, 4)))
		case !slices.Contains(domains, domain):
			best := fuzzy.Closest(w.Product, products, 4)
			if best == "" {
				if d := fuzzy.Closest(domain, domains, 4); d != "" {
					best = d + strings.TrimPrefix(w.Product, domain)
				}
			}
			field("product", "%s names domain %q, which is not a domain of mesh.cue%s", w.Product, domain, didYouMean(best))
		case !s.Open[domain] && !s.Products[w.Product]:
			field("product", "%s is not a product of the mesh nor of the live catalog%s", w.Product, didYouMean(fuzzy.Closest(w.Product, products, 4)))
		}
	}
	return ds
}

func didYouMean(s string) string {
	if s == "" {
		return ""
	}
	return " (did you mean " + s + "?)"
}
