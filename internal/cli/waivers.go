package cli

import (
	"context"

	"github.com/meshc-dev/meshc/pkg/catalog"
	"github.com/meshc-dev/meshc/pkg/config"
	"github.com/meshc-dev/meshc/pkg/diag"
	"github.com/meshc-dev/meshc/pkg/rule"
)

// waive applies mesh.cue's waivers to ds and adds an error for each waiver
// that names an unknown rule, domain or product (scope says what is known).
func waive(e *Env, cfg *config.Config, ds diag.Diagnostics, scope rule.Scope) diag.Diagnostics {
	ds = diag.Waive(ds, cfg.Waivers, e.Now())
	ds = append(ds, rule.CheckWaivers(cfg.Waivers, scope)...)
	ds.Sort()
	return ds
}

// liveProducts returns the live catalog's products for the waiver check,
// reading the catalog when l has not. validate does not need the live
// catalog otherwise, so a catalog it cannot read is not its failure: it
// returns nil, and the waivers' products are then not judged (plan judges
// them).
func liveProducts(ctx context.Context, l *loaded) map[string]*catalog.Product {
	if l.live != nil {
		return l.live.Products
	}
	if len(l.cfg.Waivers) == 0 {
		return nil
	}
	live, err := l.store.Read(ctx)
	if err != nil {
		return nil
	}
	return live.Products
}
