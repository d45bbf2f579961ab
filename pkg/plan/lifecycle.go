package plan

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/meshc-dev/meshc/pkg/catalog"
	"github.com/meshc-dev/meshc/pkg/diag"
	"github.com/meshc-dev/meshc/pkg/rule"
	"github.com/meshc-dev/meshc/pkg/state"
)

// planRule is one rule that judges a change of the plan: its registered
// description and its check.
type planRule struct {
	rule.Rule
	check func(*changeContext) diag.Diagnostics
}

// planRules are the rules that judge changes, in the order they registered.
var planRules []planRule

// registerPlan registers r with check as its handler, run on every change
// of the plan; each plan rule does so next to its check.
func registerPlan(r rule.Rule, check func(*changeContext) diag.Diagnostics) rule.Rule {
	planRules = append(planRules, planRule{Rule: rule.Register(r), check: check})
	return r
}

// changeContext is what a plan rule sees of one change: both sides of the
// product (before is nil for a create, after for a delete), the desired
// mesh, the live catalog and the desired lineage graph.
type changeContext struct {
	desired       *catalog.Mesh
	live          *state.Catalog
	g             *graph
	c             *Change
	before, after *catalog.Product
	o             Options
}

// judge runs every plan rule on one change.
func judge(x *changeContext) diag.Diagnostics {
	var ds diag.Diagnostics
	for _, r := range planRules {
		ds = append(ds, r.check(x)...)
	}
	return ds
}

// lifecycle returns a lifecycle diagnostic of rule at path of the changed
// product.
func (x *changeContext) lifecycle(rule, path, format string, args ...any) diag.Diagnostic {
	d := diag.Errorf("lifecycle", format+" ("+rule+")", args...)
	d.Rule = rule
	return at(x.desired, d, x.c.Domain, x.c.Product, path)
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

var _ = registerPlan(rule.Rule{
	ID: "breaking-change", Code: "breaking-change", Stage: rule.Plan,
	Purpose: "a breaking change to an active or deprecated product needs a major version bump",
	Explanation: `Consumers rely on active and deprecated products. A change that a rule of
change finds breaking (field-removed, port-changed, slo-weakened, ...) is
allowed only with a major version bump, which tells every consumer to look;
it is then reported with every consumer it hits, direct and downstream, and
its team. Without the bump it is an error at the changed field, naming the
rule and the consumers:

  previous: version: "1.0.0", schema: {order_id: {...}, note: {...}}
  current:  version: "1.0.0", schema: {order_id: {...}}

  domains/sales/orders.cue:16:3: breaking-change: field "note" is removed from output port "events" (field-removed): sales.orders is active, so a breaking change needs a major version bump (1.0.0 → 2.0.0); it breaks finance.revenue (@acme/finance)

Bump the major version (version: "2.0.0"), or avoid the breaking change.
Proposed, draft and retired products may change freely. A waiver of breaking-change
accepts every rule of change for the product; a waiver of one rule (e.g.
field-removed) accepts only that one.`,
}, versionRule)

// versionRule blocks breaking changes to published products that keep
// their major version.
func versionRule(x *changeContext) diag.Diagnostics {
	c, before, after := x.c, x.before, x.after
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
		ds = append(ds, at(x.desired, d, c.Domain, c.Product, br.Path))
	}
	return ds
}

var _ = registerPlan(rule.Rule{
	ID: "classification-raised", Code: "classification-raised", Stage: rule.Plan,
	Purpose: "a raised effective classification or a new PII flag is told to every consumer",
	Explanation: `Raising a product's or a field's effective classification (its own, or
else its product's), or marking a field PII, breaks nothing, but every
consumer must now store and share the data under the stricter rules. The
plan reports it as a notice naming the consumers, with their teams:

  previous: email: {type: "string", description: "Buyer's e-mail."}
  current:  email: {type: "string", classification: "restricted", description: "Buyer's e-mail."}

  domains/sales/orders.cue:19:4: classification-raised: notice: field "events.email"'s classification is raised from confidential to restricted; the obligations grow for finance.revenue (@acme/finance)

Nothing needs fixing: the notice is for the consumers (the pull-request
comment @-mentions their teams).`,
}, classificationNotices)

// classificationNotices tells the consumers of a product whose
// classification rose.
func classificationNotices(x *changeContext) diag.Diagnostics {
	var ds diag.Diagnostics
	for _, n := range x.c.Notices {
		d := diag.Diagnostic{Severity: diag.Notice, Code: n.Rule, Rule: n.Rule,
			Message: n.Message + consumerList(x.c.Impacted, portOf(n.Path), "the obligations grow for")}
		ds = append(ds, at(x.desired, d, x.c.Domain, x.c.Product, n.Path))
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
		switch {
		case im.Observed && im.Team != "":
			names = append(names, fmt.Sprintf("%s (%s, %s)", im.Product, im.Team, observedNote(im)))
		case im.Observed:
			names = append(names, fmt.Sprintf("%s (%s)", im.Product, observedNote(im)))
		case im.Team != "":
			names = append(names, fmt.Sprintf("%s (%s)", im.Product, im.Team))
		default:
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

var _ = registerPlan(rule.Rule{
	ID: "lifecycle-order", Code: "lifecycle", Stage: rule.Plan,
	Purpose: "status moves forward: proposed → draft → active → deprecated → retired, never active → retired",
	Explanation: `A product's status only moves forward through the lifecycle, so consumers
are never surprised: proposed → draft → active → deprecated → retired. An
active product may be un-deprecated (deprecated → active), but it may not
skip deprecation on its way out, nor go back to draft:

  previous: status: "active"
  current:  status: "retired"

  domains/sales/orders.cue:7:2: lifecycle: sales.orders goes from active to retired: deprecate it first, with a sunset date, so consumers can move (lifecycle-order)

Deprecate the product first, with deprecation: {sunset: "YYYY-MM-DD",
reason: "...", replacedBy: "..."}; retire it after the sunset.`,
}, lifecycleOrder)

func lifecycleOrder(x *changeContext) diag.Diagnostics {
	if x.before == nil || x.after == nil {
		return nil
	}
	bs, as := x.before.Status, x.after.Status
	switch {
	case bs == catalog.StatusActive && as == catalog.StatusRetired:
		return diag.Diagnostics{x.lifecycle("lifecycle-order", "status", "%s goes from active to retired: deprecate it first, with a sunset date, so consumers can move", x.c.Product)}
	case statusRank[as] < statusRank[bs] && !(bs == catalog.StatusDeprecated && as == catalog.StatusActive):
		return diag.Diagnostics{x.lifecycle("lifecycle-order", "status", "%s goes back from %s to %s: the lifecycle only moves forward (an active product may be un-deprecated)", x.c.Product, bs, as)}
	}
	return nil
}

var _ = registerPlan(rule.Rule{
	ID: "lifecycle-removal", Code: "lifecycle", Stage: rule.Plan,
	Purpose: "an active or deprecated product is deprecated and retired before it is removed",
	Explanation: `Removing a product from its domain's files deletes it from the catalog. An
active or deprecated one still has a promise to keep: it must be deprecated
(with a sunset), then retired, and only then removed. The error points at
the domain, as the product is gone from its files:

  domains/sales/domain.cue:3:1: lifecycle: sales.orders is active and cannot be removed: deprecate it, then retire it, before removing it (lifecycle-removal)

Put the product back and set status: "deprecated" with a deprecation; remove
it once it is retired. Proposed, draft and retired products may be removed.`,
}, lifecycleRemoval)

func lifecycleRemoval(x *changeContext) diag.Diagnostics {
	if x.after != nil || !published(x.before.Status) {
		return nil
	}
	return diag.Diagnostics{x.lifecycle("lifecycle-removal", "", "%s is %s and cannot be removed: deprecate it, then retire it, before removing it", x.c.Product, x.before.Status)}
}

var _ = registerPlan(rule.Rule{
	ID: "lifecycle-consumers", Code: "lifecycle", Stage: rule.Plan,
	Purpose: "a product with consumers is neither retired nor removed; they are named",
	Explanation: `Retiring or removing a product that other products still consume would
leave them reading nothing. The error names every direct consumer and its
team, so the owners know whom to talk to:

  previous: status: "deprecated"
  current:  status: "retired"

  domains/sales/orders.cue:7:2: lifecycle: sales.orders cannot be retired while products consume it; consumers: finance.revenue (@acme/finance), marketing.campaigns (@acme/marketing) (lifecycle-consumers)

Wait until the consumers have moved their input ports (to the deprecation's
replacedBy, typically), then retire the product.`,
}, lifecycleConsumers)

func lifecycleConsumers(x *changeContext) diag.Diagnostics {
	direct := x.g.direct(x.c.Product, nil)
	if len(direct) == 0 {
		return nil
	}
	consumers := consumerList(direct, "", "consumers:")
	switch {
	case x.after == nil:
		return diag.Diagnostics{x.lifecycle("lifecycle-consumers", "", "%s cannot be removed while products consume it%s", x.c.Product, consumers)}
	case x.after.Status == catalog.StatusRetired && (x.before == nil || x.before.Status != catalog.StatusRetired):
		return diag.Diagnostics{x.lifecycle("lifecycle-consumers", "status", "%s cannot be retired while products consume it%s", x.c.Product, consumers)}
	}
	return nil
}

var _ = registerPlan(rule.Rule{
	ID: "lifecycle-sunset", Code: "lifecycle", Stage: rule.Plan,
	Purpose: "a sunset is at least lifecycle.minSunsetDays (default 30) after the product is first deprecated",
	Explanation: `Consumers of a deprecated product need time to move: its deprecation's
sunset must be at least lifecycle.minSunsetDays (mesh.cue, default 30) after
the day the product was first deprecated: today for a deprecation in this
plan, else the day the live catalog recorded when it was applied.

  current:  status: "deprecated", deprecation: {sunset: "2026-12-01", reason: "...", replacedBy: "finance.revenue"}

  domains/sales/orders.cue:8:16: lifecycle: sales.orders's sunset 2026-12-01 is too soon: consumers get at least 30 days from 2026-11-24, so the earliest sunset is 2026-12-24 (lifecycle-sunset)

Move the sunset to the earliest date the message names, or later.`,
}, lifecycleSunset)

func lifecycleSunset(x *changeContext) diag.Diagnostics {
	after, before, o := x.after, x.before, x.o
	if after == nil || after.Status != catalog.StatusDeprecated || after.Deprecation == nil {
		return nil
	}
	since := o.Today
	if before != nil && before.Status == catalog.StatusDeprecated {
		if meta, ok := x.live.Meta[x.c.Product]; ok && meta.DeprecatedOn != "" {
			if t, err := time.Parse(time.DateOnly, meta.DeprecatedOn); err == nil {
				since = t
			}
		}
	}
	earliest := since.AddDate(0, 0, o.MinSunsetDays)
	sunset, err := time.Parse(time.DateOnly, after.Deprecation.Sunset)
	if err != nil || !sunset.Before(truncate(earliest)) {
		return nil
	}
	return diag.Diagnostics{x.lifecycle("lifecycle-sunset", "deprecation.sunset", "%s's sunset %s is too soon: consumers get at least %d days from %s, so the earliest sunset is %s",
		x.c.Product, after.Deprecation.Sunset, o.MinSunsetDays, since.Format(time.DateOnly), earliest.Format(time.DateOnly))}
}

func truncate(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

var _ = registerPlan(rule.Rule{
	ID: "lifecycle-early-retirement", Code: "lifecycle", Stage: rule.Plan,
	Purpose: "a deprecated product is not retired before the sunset it announced (a warning)",
	Explanation: `A deprecation's sunset is a date consumers were promised: until then the
product keeps working. Retiring it sooner is allowed once nothing consumes it
(lifecycle-consumers), but it breaks that promise to whoever reads it without
being declared, so the plan warns:

  previous: status: "deprecated", deprecation: {sunset: "2027-06-30", ...}
  current:  status: "retired", deprecation: {sunset: "2027-06-30", ...}

  domains/sales/legacy.cue:7:18: lifecycle: warning: sales.legacy is retired on 2026-11-24, before the sunset 2027-06-30 its deprecation announced (lifecycle-early-retirement)

Retire it on or after the sunset, or, when everyone agreed, waive the rule
for the product.`,
}, lifecycleEarlyRetirement)

func lifecycleEarlyRetirement(x *changeContext) diag.Diagnostics {
	before, after := x.before, x.after
	if before == nil || after == nil || before.Status != catalog.StatusDeprecated || after.Status != catalog.StatusRetired || before.Deprecation == nil {
		return nil
	}
	sunset, err := time.Parse(time.DateOnly, before.Deprecation.Sunset)
	if err != nil || !truncate(x.o.Today).Before(sunset) {
		return nil
	}
	d := x.lifecycle("lifecycle-early-retirement", "status", "%s is retired on %s, before the sunset %s its deprecation announced",
		x.c.Product, x.o.Today.Format(time.DateOnly), before.Deprecation.Sunset)
	d.Severity = diag.Warning
	return diag.Diagnostics{d}
}
