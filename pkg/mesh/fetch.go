package mesh

import (
	"context"

	"github.com/meshc-dev/meshc/pkg/config"
	"github.com/meshc-dev/meshc/pkg/source"
)

// fetch reads the named domains. Tolerant, an unreadable domain is
// returned in the map rather than failing the whole fetch.
func fetch(ctx context.Context, cfg *config.Config, names []string, tolerant bool) ([]*source.Domain, map[string]error, error) {
	sub := *cfg
	sub.Domains = map[string]*config.Domain{}
	for _, n := range names {
		sub.Domains[n] = cfg.Domains[n]
	}
	if !tolerant {
		domains, err := source.Fetch(ctx, &sub)
		return domains, map[string]error{}, err
	}
	var domains []*source.Domain
	failed := map[string]error{}
	for _, n := range names {
		one := sub
		one.Domains = map[string]*config.Domain{n: cfg.Domains[n]}
		ds, err := source.Fetch(ctx, &one)
		if err != nil {
			failed[n] = err
			continue
		}
		domains = append(domains, ds...)
	}
	return domains, failed, nil
}
