package plan

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/meshc-dev/meshc/pkg/catalog"
	"github.com/meshc-dev/meshc/pkg/diag"
	"github.com/meshc-dev/meshc/pkg/state"
)

func lifecycleRuleList() []Rule {
	return []Rule{
		{ID: "breaking-change", Stage: "plan", Purpose: "a breaking change to an active or deprecated product needs a major version bump"},
		{ID: "lifecycle-order", Stage: "plan", Purpose: "status moves forward: proposed → draft → active → deprecated → retired, never active → retired directly"},
		{ID: "lifecycle-removal", Stage: "plan", Purpose: "an active or deprecated product is deprecated and retired before it is removed"},
		{ID: "lifecycle-consumers", Stage: "plan", Purpose: "a product that still has consumers is neither retired nor removed"},
		{ID: "lifecycle-sunset", Stage: "plan", Purpose: "a deprecation's sunset is at least lifecycle.minSunsetDays (30) after the product is first deprecated"},
	}
}

// statusRank orders the lifecycle.
var statusRank = map[string]int{
	catalog.StatusProposed: 0, catalog.StatusDraft: 1, catalog.StatusActive: 2,
	catalog.StatusDeprecated: 3, catalog.StatusRetired: 4,
}

// published reports whether consumers may rely on a product in status s.
func published(s string) bool {
	return s == catalog.StatusActive || s == catalog.StatusDeprecated
}

// at places a plan diagnostic at path of a product in the desired mesh's
// files, or at its closest declared ancestor.
func at(m *catalog.Mesh, d diag.Diagnostic, domain, product, path string) diag.Diagnostic {
	d.Domain, d.Product = domain, product
	_, name, _ := strings.Cut(product, ".")
	p := "products." + name
	if path != "" {
		p += "." + path
	}
	pos := m.Locate(domain, p)
	if !pos.IsValid() {
		// A removed product: point at its domain's declaration.
		pos = m.Locate(domain, "domain")
	}
	return d.At(pos)
}

// versionRule blocks breaking changes to published products that keep
// their major version.
func versionRule(m *catalog.Mesh, c *Change, before, after *catalog.Product) diag.Diagnostics {
	if before == nil || after == nil || len(c.Breaking) == 0 || !published(before.Status) {
		return nil
	}
	if major(after.Version) > major(before.Version) {
		return nil
	}
	var ds diag.Diagnostics
	for _, br := range c.Breaking {
		msg := fmt.Sprintf("%s (%s): %s is %s, so a breaking change needs a major version bump (%s → %d.0.0)%s",
			br.Message, br.Rule, c.Product, before.Status, before.Version, major(before.Version)+1, consumerList(c.Impacted, portOf(br.Path), "it breaks"))
		d := diag.Errorf("breaking-change", "%s", msg)
		d.Rule = br.Rule
		ds = append(ds, at(m, d, c.Domain, c.Product, br.Path))
	}
	return ds
}

// portOf returns the output port a path is under, or "".
func portOf(path string) string {
	rest, ok := strings.CutPrefix(path, "outputPorts.")
	if !ok {
		return ""
	}
	port, _, _ := strings.Cut(rest, ".")
	return port
}

// consumerList names the consumers hit by a change to port ("" for all).
func consumerList(impacts []Impact, port, lead string) string {
	var names []string
	for _, im := range impacts {
		if im.Via != "" || (port != "" && im.Port != port) {
			continue
		}
		if im.Team != "" {
			names = append(names, fmt.Sprintf("%s (%s)", im.Product, im.Team))
		} else {
			names = append(names, im.Product)
		}
	}
	if len(names) == 0 {
		return "; no product consumes it yet"
	}
	return "; " + lead + " " + strings.Join(names, ", ")
}

func major(v string) int {
	n, _ := strconv.Atoi(strings.SplitN(v, ".", 2)[0])
	return n
}

// lifecycleRules checks a change's move through the lifecycle.
func lifecycleRules(m *catalog.Mesh, live *state.Catalog, g *graph, c *Change, before, after *catalog.Product, o Options) diag.Diagnostics {
	var ds diag.Diagnostics
	add := func(rule, path, format string, args ...any) {
		d := diag.Errorf("lifecycle", format+" ("+rule+")", args...)
		d.Rule = rule
		ds = append(ds, at(m, d, c.Domain, c.Product, path))
	}
	consumers := consumerList(g.direct(c.Product, nil), "", "consumers:")
	hasConsumers := len(g.direct(c.Product, nil)) > 0
	switch {
	case after == nil:
		if published(before.Status) {
			add("lifecycle-removal", "", "%s is %s and cannot be removed: deprecate it, then retire it, before removing it", c.Product, before.Status)
		}
		if hasConsumers {
			add("lifecycle-consumers", "", "%s cannot be removed while products consume it%s", c.Product, consumers)
		}
		return ds
	case before == nil:
		if after.Status == catalog.StatusRetired && hasConsumers {
			add("lifecycle-consumers", "status", "%s cannot be retired while products consume it%s", c.Product, consumers)
		}
	default:
		bs, as := before.Status, after.Status
		switch {
		case bs == catalog.StatusActive && as == catalog.StatusRetired:
			add("lifecycle-order", "status", "%s goes from active to retired: deprecate it first, with a sunset date, so consumers can move", c.Product)
		case statusRank[as] < statusRank[bs] && !(bs == catalog.StatusDeprecated && as == catalog.StatusActive):
			add("lifecycle-order", "status", "%s goes back from %s to %s: the lifecycle only moves forward (an active product may be un-deprecated)", c.Product, bs, as)
		}
		if as == catalog.StatusRetired && bs != catalog.StatusRetired && hasConsumers {
			add("lifecycle-consumers", "status", "%s cannot be retired while products consume it%s", c.Product, consumers)
		}
	}
	if after.Status == catalog.StatusDeprecated && after.Deprecation != nil {
		since := o.Today
		if before != nil && before.Status == catalog.StatusDeprecated {
			if meta, ok := live.Meta[c.Product]; ok && meta.DeprecatedOn != "" {
				if t, err := time.Parse(time.DateOnly, meta.DeprecatedOn); err == nil {
					since = t
				}
			}
		}
		earliest := since.AddDate(0, 0, o.MinSunsetDays)
		sunset, err := time.Parse(time.DateOnly, after.Deprecation.Sunset)
		if err == nil && sunset.Before(truncate(earliest)) {
			add("lifecycle-sunset", "deprecation.sunset", "%s's sunset %s is too soon: consumers get at least %d days from %s, so the earliest sunset is %s",
				c.Product, after.Deprecation.Sunset, o.MinSunsetDays, since.Format(time.DateOnly), earliest.Format(time.DateOnly))
		}
	}
	return ds
}

func truncate(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
