package usage

import (
	"slices"
	"strings"
	"time"

	"github.com/meshc-dev/meshc/pkg/catalog"
	"github.com/meshc-dev/meshc/pkg/result"
	"github.com/meshc-dev/meshc/pkg/state"
)

// ReportOptions selects and tunes a Report.
type ReportOptions struct {
	Today     time.Time
	StaleDays int
	// Product and Domain narrow the report to one product or domain.
	Product, Domain string
}

// Report joins the declared consumers of m's ports with the observed
// aggregates.
func Report(m *catalog.Mesh, aggs []state.UsageAggregate, o ReportOptions) *result.Usage {
	today := o.Today.UTC().Truncate(24 * time.Hour)
	day := func(n int) string { return today.AddDate(0, 0, -(n - 1)).Format(time.DateOnly) }
	d7, d30, stale := day(7), day(30), day(o.StaleDays)
	type key struct{ product, port, consumer string }
	obs := map[key]*result.ConsumerUsage{}
	for _, a := range aggs {
		k := key{a.Product, a.Port, a.Consumer}
		c := obs[k]
		if c == nil {
			c = &result.ConsumerUsage{Consumer: a.Consumer}
			obs[k] = c
		}
		if a.Day >= d7 {
			c.Runs7 += a.Runs
		}
		if a.Day >= d30 {
			c.Runs30 += a.Runs
			c.Failed30 += a.Failed
		}
		if c.LastSeen == nil || a.LastSeen.After(*c.LastSeen) {
			t := a.LastSeen
			c.LastSeen = &t
		}
	}
	declared := map[key]bool{}
	for _, id := range m.ProductIDs() {
		for _, in := range m.Products[id].InputPorts {
			declared[key{in.Product, in.Port, id}] = true
		}
	}
	rep := &result.Usage{Today: today.Format(time.DateOnly), StaleDays: o.StaleDays, Products: []result.ProductUsage{}}
	for _, id := range m.ProductIDs() {
		p := m.Products[id]
		if (o.Product != "" && id != o.Product) || (o.Domain != "" && p.Domain != o.Domain) {
			continue
		}
		pu := result.ProductUsage{Product: id, Team: team(m, id), Status: p.Status, Ports: []result.PortUsage{}}
		if p.Deprecation != nil {
			pu.Sunset = p.Deprecation.Sunset
		}
		retiring := p.Status == catalog.StatusDeprecated || p.Status == catalog.StatusRetired
		for _, port := range catalog.SortedKeys(p.OutputPorts) {
			cs := map[string]*result.ConsumerUsage{}
			for k, c := range obs {
				if k.product == id && k.port == port {
					cc := *c
					cs[k.consumer] = &cc
				}
			}
			for k := range declared {
				if k.product == id && k.port == port && cs[k.consumer] == nil {
					cs[k.consumer] = &result.ConsumerUsage{Consumer: k.consumer}
				}
			}
			pt := result.PortUsage{Port: port, Consumers: []result.ConsumerUsage{}}
			for _, name := range catalog.SortedKeys(cs) {
				c := cs[name]
				c.Declared = declared[key{id, port, name}]
				if !strings.HasPrefix(name, "job:") {
					c.Team = team(m, name)
				}
				seen := func(from string) bool { return c.LastSeen != nil && c.LastSeen.Format(time.DateOnly) >= from }
				c.Shadow = !c.Declared && c.LastSeen != nil
				c.Stale = c.Declared && !seen(stale)
				c.Retiring = retiring && seen(d30)
				if seen(d7) {
					pt.Active7++
				}
				if seen(d30) {
					pt.Active30++
				}
				pt.Consumers = append(pt.Consumers, *c)
			}
			pt.Unused = pt.Active30 == 0
			pu.Ports = append(pu.Ports, pt)
		}
		rep.Products = append(rep.Products, pu)
	}
	return rep
}

// team is the GitHub handle of the team owning product id, or "".
func team(m *catalog.Mesh, id string) string {
	domain, _, _ := strings.Cut(id, ".")
	if d := m.Domains[domain]; d != nil {
		return d.Team.GitHub
	}
	return ""
}

// Shadows returns the shadow consumers of a report, "product.port <-
// consumer", sorted: for messages and tests.
func Shadows(u *result.Usage) []string {
	var out []string
	for _, p := range u.Products {
		for _, pt := range p.Ports {
			for _, c := range pt.Consumers {
				if c.Shadow {
					out = append(out, p.Product+"."+pt.Port+" <- "+c.Consumer)
				}
			}
		}
	}
	slices.Sort(out)
	return out
}
