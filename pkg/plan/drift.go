package plan

import (
	"github.com/meshc-dev/meshc/pkg/catalog"
	"github.com/meshc-dev/meshc/pkg/state"
)

// Drift kinds: which side moved since the last apply.
const (
	// DriftSourceAhead is a change in a domain's source not applied yet
	// (an unapplied merge): the commit read differs from the one applied.
	DriftSourceAhead = "source-ahead"
	// DriftCatalogChanged is a live catalog that differs from the very
	// commit it was applied from: it was changed outside git.
	DriftCatalogChanged = "catalog-changed"
)

// DriftText says what a drift kind means, for reports.
func DriftText(kind string) string {
	switch kind {
	case DriftSourceAhead:
		return "source ahead of the catalog"
	case DriftCatalogChanged:
		return "catalog changed outside git"
	}
	return kind
}

// ClassifyDrift labels every pending change of p with the side that moved:
// when the domain's source is still at the commit the live catalog was
// applied from, the catalog changed outside git; otherwise the source is
// ahead. A local directory has no commit: the digest of its files stands
// in for it.
func ClassifyDrift(p *Plan, live *state.Catalog) {
	for _, c := range p.Pending() {
		c.Drift = DriftSourceAhead
		ld := live.Domains[c.Domain]
		src, ok := p.Sources[c.Domain]
		if rev := catalog.Source(src).Revision(); ld != nil && ok && rev != "" && rev == ld.Source.Revision() {
			c.Drift = DriftCatalogChanged
		}
	}
}
