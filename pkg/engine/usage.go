package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/meshc-dev/meshc/pkg/catalog"
	"github.com/meshc-dev/meshc/pkg/result"
	"github.com/meshc-dev/meshc/pkg/state"
	"github.com/meshc-dev/meshc/pkg/usage"
)

// UsageStore is the live catalog's backend's usage capability.
func (e *Engine) UsageStore() (state.UsageStore, error) { return state.UsageOf(e.store) }

// Ingester returns what counts OpenLineage run events into the live
// catalog's backend, resolving them against the live catalog, with
// mesh.cue's retention.
func (e *Engine) Ingester(ctx context.Context) (*usage.Ingester, error) {
	us, err := e.UsageStore()
	if err != nil {
		return nil, err
	}
	live, err := e.store.Read(ctx)
	if err != nil {
		return nil, err
	}
	return &usage.Ingester{Store: us, Index: usage.NewIndex(live.Mesh()), Now: e.o.Now, RetentionDays: e.cfg.Usage.RetentionDays}, nil
}

// UsageOptions narrows a usage report.
type UsageOptions struct {
	Product, Domain string
}

// Usage reports the live catalog's declared consumers against the
// observed ones.
func (e *Engine) Usage(ctx context.Context, o UsageOptions) (*result.Usage, error) {
	us, err := e.UsageStore()
	if err != nil {
		return nil, err
	}
	m, err := e.liveScope(ctx, o.Product, o.Domain)
	if err != nil {
		return nil, err
	}
	aggs, err := us.ReadUsage(ctx, "")
	if err != nil {
		return nil, err
	}
	return usage.Report(m, aggs, usage.ReportOptions{Today: e.o.Now(), StaleDays: e.cfg.Usage.StaleDays, Product: o.Product, Domain: o.Domain}), nil
}

// observedUsage reads the usage a plan weighs: the last days of the
// backend's aggregates, none when the backend keeps no usage.
func (e *Engine) observedUsage(ctx context.Context) ([]state.UsageAggregate, error) {
	us, err := e.UsageStore()
	if err != nil {
		return nil, nil // a backend without usage: the plan has declared consumers only
	}
	since := e.o.Now().UTC().AddDate(0, 0, -31).Format(time.DateOnly)
	aggs, err := us.ReadUsage(ctx, since)
	if err != nil {
		return nil, errors.Join(errors.New("reading observed usage"), err)
	}
	return aggs, nil
}

// liveScope reads the live catalog's mesh, checking that the product or
// domain a report is narrowed to is in it.
func (e *Engine) liveScope(ctx context.Context, product, domain string) (*catalog.Mesh, error) {
	live, err := e.store.Read(ctx)
	if err != nil {
		return nil, err
	}
	m := live.Mesh()
	if product != "" && m.Products[product] == nil {
		return nil, fmt.Errorf("the live catalog has no product %s", product)
	}
	if domain != "" && m.Domains[domain] == nil {
		return nil, fmt.Errorf("the live catalog has no domain %s", domain)
	}
	return m, nil
}
