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

// driftOf says which side moved for change c: when the domain's source
// is still at the revision the live catalog was applied from, the catalog
// changed outside git; otherwise the source is ahead. A local directory
// has no commit: the digest of its files stands in for it.
func driftOf(c *Change, live *state.Catalog, sources map[string]Source) string {
	ld := live.Domains[c.Domain]
	src, ok := sources[c.Domain]
	if rev := catalog.Source(src).Revision(); ld != nil && ok && rev != "" && rev == ld.Source.Revision() {
		return DriftCatalogChanged
	}
	return DriftSourceAhead
}
