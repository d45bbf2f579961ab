package plan

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/meshc-dev/meshc/pkg/catalog"
	"github.com/meshc-dev/meshc/pkg/rule"
)

// changeRule is one rule of change: its registered description and the
// check that finds its breaking changes between a live product (b) and its
// desired state (a).
type changeRule struct {
	rule.Rule
	check func(b, a *catalog.Product) []Breaking
	// removal rules judge a removed product (a is nil) instead of an update.
	removal bool
}

// changeRules are the rules of change, in the order they registered.
var changeRules []changeRule

// registerChange registers r with check as its handler, run on every update
// of a product; every rule of change does so next to its check.
func registerChange(r rule.Rule, check func(b, a *catalog.Product) []Breaking) rule.Rule {
	changeRules = append(changeRules, changeRule{Rule: rule.Register(r), check: check})
	return r
}

// registerRemoval registers r with check as its handler, run on every
// product that is removed.
func registerRemoval(r rule.Rule, check func(b, a *catalog.Product) []Breaking) rule.Rule {
	changeRules = append(changeRules, changeRule{Rule: rule.Register(r), check: check, removal: true})
	return r
}

// breakingChanges runs every rule of change on an update or a delete. A
// published output port is a promise to consumers: guarantees may be
// strengthened at any time, weakening one is breaking.
func breakingChanges(before, after *catalog.Product) []Breaking {
	if before == nil {
		return nil
	}
	var out []Breaking
	for _, r := range changeRules {
		if r.removal == (after == nil) {
			out = append(out, r.check(before, after)...)
		}
	}
	slices.SortFunc(out, func(x, y Breaking) int {
		return cmp.Or(strings.Compare(x.Path, y.Path), strings.Compare(x.Rule, y.Rule), strings.Compare(x.Message, y.Message))
	})
	return out
}

// breakingExplanation ends every rule of change's explanation.
const breakingExplanation = `

A breaking change to an active or deprecated product needs a major version
bump (rule breaking-change); with the bump it is allowed and reported with
every consumer it hits, direct and downstream, and its team. Without it, it
is an error under the code breaking-change, naming this rule. To accept it
without the bump for a while, waive this rule for the product in mesh.cue:

  waivers: [{rule: "%s", product: "sales.orders", reason: "...", expires: "2027-01-31"}]`

// explainBreaking returns an explanation of rule id: text, then how breaking
// changes are allowed or waived.
func explainBreaking(id, text string) string {
	return text + fmt.Sprintf(breakingExplanation, id)
}

var _ = registerRemoval(rule.Rule{
	ID: "product-removed", Code: "breaking-change", Stage: rule.Plan,
	Purpose: "an active or deprecated product is removed",
	Explanation: `Removing a published (active or deprecated) product breaks every consumer
at once. The plan lists it as a breaking change of the delete:

  - sales.orders  (delete)
      ! breaking: the product is removed (product-removed)

No version bump makes a removal safe: the lifecycle rules block it instead
(lifecycle-removal: deprecate, then retire, before removing;
lifecycle-consumers: nothing may still consume it). Fix it by deprecating the
product with a sunset and a replacement, retiring it once its consumers have
moved, and removing it after that. A proposed, draft or retired product is
removed without notice.`,
}, productRemoved)

func productRemoved(b, _ *catalog.Product) []Breaking {
	if !published(b.Status) {
		return nil
	}
	return []Breaking{{Rule: "product-removed", Path: "", Message: "the product is removed"}}
}

func portPath(port string, elems ...string) string {
	return strings.Join(append([]string{"outputPorts", port}, elems...), ".")
}

var _ = registerChange(rule.Rule{
	ID: "port-removed", Code: "breaking-change", Stage: rule.Plan,
	Purpose: "an output port is removed",
	Explanation: explainBreaking("port-removed", `Consumers read a product through its output ports: removing one breaks every
input port that reads it.

  previous: outputPorts: {events: {...}, daily: {...}}
  current:  outputPorts: {events: {...}}

  domains/sales/orders.cue:10:2: breaking-change: output port "daily" is removed (port-removed): sales.orders is active, so a breaking change needs a major version bump (1.0.0 → 2.0.0); it breaks marketing.campaigns (@acme/marketing)

Keep the port until its consumers have moved, or bump the major version.`),
}, portRemoved)

func portRemoved(b, a *catalog.Product) []Breaking {
	var out []Breaking
	for _, name := range catalog.SortedKeys(b.OutputPorts) {
		if _, ok := a.OutputPorts[name]; !ok {
			out = append(out, Breaking{"port-removed", portPath(name), fmt.Sprintf("output port %q is removed", name)})
		}
	}
	return out
}

var _ = registerChange(rule.Rule{
	ID: "port-changed", Code: "breaking-change", Stage: rule.Plan,
	Purpose: "an output port's type, location or format changes",
	Explanation: explainBreaking("port-changed", `Consumers connect to a port by its type (table, topic, ...), its location
and its format: changing any of them disconnects them.

  previous: outputPorts: events: {type: "topic", location: "kafka://sales.orders.v1", format: "avro"}
  current:  outputPorts: events: {type: "topic", location: "kafka://sales.orders.v2", format: "avro"}

  domains/sales/orders.cue:13:3: breaking-change: output port "events" location changes from "kafka://sales.orders.v1" to "kafka://sales.orders.v2" (port-changed): sales.orders is active, so a breaking change needs a major version bump (1.0.0 → 2.0.0); it breaks finance.revenue (@acme/finance)

Publish the new location as a new port beside the old one, and remove the old
one with a major version bump once consumers have moved.`),
}, portChanged)

// ports calls fn for every output port on both sides.
func ports(b, a *catalog.Product, fn func(name string, bp, ap catalog.OutputPort)) {
	for _, name := range catalog.SortedKeys(b.OutputPorts) {
		if ap, ok := a.OutputPorts[name]; ok {
			fn(name, b.OutputPorts[name], ap)
		}
	}
}

func portChanged(b, a *catalog.Product) []Breaking {
	var out []Breaking
	ports(b, a, func(name string, bp, ap catalog.OutputPort) {
		for _, attr := range []struct{ key, before, after string }{
			{"type", bp.Type, ap.Type}, {"location", bp.Location, ap.Location}, {"format", bp.Format, ap.Format},
		} {
			if attr.before != attr.after {
				out = append(out, Breaking{"port-changed", portPath(name, attr.key),
					fmt.Sprintf("output port %q %s changes from %s to %s", name, attr.key, quoteOrNone(attr.before), quoteOrNone(attr.after))})
			}
		}
	})
	return out
}

func quoteOrNone(s string) string {
	if s == "" {
		return "none"
	}
	return strconv.Quote(s)
}

// fieldPair is one field on both sides of a change, matched by name or by
// renamedFrom.
type fieldPair struct {
	path       string // of the field after the change
	beforeName string
	b, a       catalog.Field
}

// fields calls fn for every field of every port present on both sides,
// nested fields included; removed is called for fields that are gone.
func fields(b, a *catalog.Product, fn func(port string, f fieldPair), removed func(port, path, name string)) {
	ports(b, a, func(port string, bp, ap catalog.OutputPort) {
		walkFields(port, portPath(port, "schema"), bp.Schema, ap.Schema, fn, removed)
	})
}

func walkFields(port, prefix string, bs, as map[string]catalog.Field, fn func(string, fieldPair), removed func(port, path, name string)) {
	matched := map[string]bool{}
	for _, name := range catalog.SortedKeys(as) {
		af := as[name]
		bname := name
		bf, ok := bs[name]
		if !ok && af.RenamedFrom != "" {
			bname = af.RenamedFrom
			bf, ok = bs[bname]
		}
		if !ok {
			continue
		}
		matched[bname] = true
		walkField(port, prefix+"."+name, bname, bf, af, fn, removed)
	}
	for _, name := range catalog.SortedKeys(bs) {
		if !matched[name] && removed != nil {
			removed(port, prefix+"."+name, name)
		}
	}
}

// walkField calls fn for one field present on both sides, then descends
// into its object fields and its array items, to any depth: a field
// inside lines[].items[].fields gets every rule a top-level field gets.
func walkField(port, path, bname string, bf, af catalog.Field, fn func(string, fieldPair), removed func(port, path, name string)) {
	fn(port, fieldPair{path: path, beforeName: bname, b: bf, a: af})
	if bf.Type != af.Type {
		return // one change: the type's (what was inside it went with it)
	}
	if bf.Fields != nil || af.Fields != nil {
		walkFields(port, path+".fields", bf.Fields, af.Fields, fn, removed)
	}
	if bf.Items != nil && af.Items != nil {
		walkField(port, path+".items", bname, *bf.Items, *af.Items, fn, removed)
	}
}

var _ = registerChange(rule.Rule{
	ID: "field-removed", Code: "breaking-change", Stage: rule.Plan,
	Purpose: "a field is removed from an output port's schema",
	Explanation: explainBreaking("field-removed", `A consumer that reads a field fails when it disappears, nested fields
included.

  previous: schema: {order_id: {...}, note: {type: "string", description: "Buyer's note"}}
  current:  schema: {order_id: {...}}

  domains/sales/orders.cue:16:3: breaking-change: field "note" is removed from output port "events" (field-removed): sales.orders is active, so a breaking change needs a major version bump (1.0.0 → 2.0.0); it breaks finance.revenue (@acme/finance)

Keep the field (it may be documented as unused) or bump the major version.`),
}, fieldRemoved)

func fieldRemoved(b, a *catalog.Product) []Breaking {
	var out []Breaking
	fields(b, a, func(string, fieldPair) {}, func(port, path, name string) {
		_, in, _ := strings.Cut(path, ".schema.")
		out = append(out, Breaking{"field-removed", path, fmt.Sprintf("field %q is removed from output port %q", schemaPath(in), port)})
	})
	return out
}

var _ = registerChange(rule.Rule{
	ID: "field-renamed", Code: "breaking-change", Stage: rule.Plan,
	Purpose: `a field is renamed (renamedFrom: "old" makes a rename one change)`,
	Explanation: explainBreaking("field-renamed", `A field declared with renamedFrom is matched with its old name, so the plan
shows one rename rather than a removal and an addition; consumers still have
to follow the new name.

  previous: schema: note: {type: "string", description: "Buyer's note"}
  current:  schema: buyer_note: {type: "string", description: "Buyer's note", renamedFrom: "note"}

  domains/sales/orders.cue:20:4: breaking-change: field "note" of output port "events" is renamed to "buyer_note" (field-renamed): sales.orders is active, so a breaking change needs a major version bump (1.0.0 → 2.0.0); it breaks finance.revenue (@acme/finance)

Publish both names for a while, or bump the major version.`),
}, fieldRenamed)

func fieldRenamed(b, a *catalog.Product) []Breaking {
	var out []Breaking
	fields(b, a, func(port string, f fieldPair) {
		if name := f.path[strings.LastIndexByte(f.path, '.')+1:]; f.beforeName != name && !strings.HasSuffix(f.path, ".items") {
			_, in, _ := strings.Cut(f.path, ".schema.")
			old := schemaPath(in[:len(in)-len(name)] + f.beforeName)
			out = append(out, Breaking{"field-renamed", f.path, fmt.Sprintf("field %q of output port %q is renamed to %q", old, port, name)})
		}
	}, nil)
	return out
}

var _ = registerChange(rule.Rule{
	ID: "field-type-changed", Code: "breaking-change", Stage: rule.Plan,
	Purpose: "a field's type changes so a reader may get values it was not promised (integer → number; the type table)",
	Explanation: explainBreaking("field-type-changed", fmt.Sprintf(`A consumer parses a field by the type it was promised. A change of a
field's type, at any depth (an array's items, an object's fields) breaks it
when the field may now hold a value of the old type's readers cannot take:
integer → number is breaking (a reader of integers may now get 2.5); a
change that only narrows what a reader can receive, number → integer, is
not. Every pair of the nine logical types, rows the type before, columns
the type after:

%s
  previous: note: {type: "string", ...}
  current:  note: {type: "object", fields: {...}, ...}

  domains/sales/orders.cue:20:11: breaking-change: field "events.note" changes type from string to object: a reader of text cannot read objects (field-type-changed): sales.orders is active, so a breaking change needs a major version bump (1.0.0 → 2.0.0); it breaks finance.revenue (@acme/finance)

Add a field of the new type beside the old one, or bump the major version.`, indent(TypeMatrix(), "  "))),
}, fieldTypeChanged)

// indent prefixes every line of s.
func indent(s, prefix string) string {
	return prefix + strings.ReplaceAll(strings.TrimSuffix(s, "\n"), "\n", "\n"+prefix) + "\n"
}

func fieldTypeChanged(b, a *catalog.Product) []Breaking {
	var out []Breaking
	fields(b, a, func(port string, f fieldPair) {
		if v := JudgeTypeChange(f.b.Type, f.a.Type); v.Breaking {
			out = append(out, Breaking{"field-type-changed", f.path + ".type",
				fmt.Sprintf("field %s changes type from %s to %s: %s", fieldName(f), f.b.Type, f.a.Type, v.Why)})
		}
	}, nil)
	return out
}

// fieldName names a field for messages: its port and its path in the
// port's schema, array items as [] ("events.lines[].sku").
func fieldName(f fieldPair) string {
	rest, _ := strings.CutPrefix(f.path, "outputPorts.")
	port, in, _ := strings.Cut(rest, ".schema.")
	return strconv.Quote(port + "." + schemaPath(in))
}

// schemaPath writes a path inside a port's schema for people:
// "lines.items.fields.sku" is "lines[].sku".
func schemaPath(p string) string {
	p = strings.ReplaceAll(p, ".items", "[]")
	return strings.ReplaceAll(p, ".fields.", ".")
}

var _ = registerChange(rule.Rule{
	ID: "field-not-unique", Code: "breaking-change", Stage: rule.Plan,
	Purpose: "a unique field stops being unique",
	Explanation: explainBreaking("field-not-unique", `A consumer may use a unique field as a key (joins, deduplication): once values
may repeat, that consumer's results are wrong.

  previous: order_id: {type: "string", required: true, unique: true, ...}
  current:  order_id: {type: "string", required: true, ...}

  domains/sales/orders.cue:17:4: breaking-change: field "events.order_id" is no longer unique (field-not-unique): sales.orders is active, so a breaking change needs a major version bump (1.0.0 → 2.0.0); it breaks finance.revenue (@acme/finance)

Keep the field unique, add a new key field, or bump the major version.`),
}, fieldNotUnique)

var _ = registerChange(rule.Rule{
	ID: "field-optional", Code: "breaking-change", Stage: rule.Plan,
	Purpose: "a required field becomes optional",
	Explanation: explainBreaking("field-optional", `A consumer may rely on a required field being present in every record: once
it is optional, records without it break that consumer. Making an optional
field required is a strengthening, and allowed.

  previous: amount: {type: "number", required: true, ...}
  current:  amount: {type: "number", ...}

  domains/sales/orders.cue:18:4: breaking-change: field "events.amount" is no longer required (field-optional): sales.orders is active, so a breaking change needs a major version bump (1.0.0 → 2.0.0); it breaks finance.revenue (@acme/finance)

Keep the field required, or bump the major version.`),
}, fieldOptional)

var (
	fieldOptional  = flagDropped("field-optional", "required", func(f catalog.Field) bool { return f.Required })
	fieldNotUnique = flagDropped("field-not-unique", "unique", func(f catalog.Field) bool { return f.Unique })
)

// flagDropped returns the rule that a field's guarantee flag (required,
// unique), once true, stays true.
func flagDropped(rule, flag string, get func(catalog.Field) bool) func(b, a *catalog.Product) []Breaking {
	return func(b, a *catalog.Product) []Breaking {
		var out []Breaking
		fields(b, a, func(port string, f fieldPair) {
			if get(f.b) && !get(f.a) {
				out = append(out, Breaking{rule, f.path + "." + flag, fmt.Sprintf("field %s is no longer %s", fieldName(f), flag)})
			}
		}, nil)
		return out
	}
}

var _ = registerChange(rule.Rule{
	ID: "access-narrowed", Code: "breaking-change", Stage: rule.Plan,
	Purpose: "visibility narrows, or a domain leaves allow",
	Explanation: explainBreaking("access-narrowed", `Visibility goes from widest to narrowest: public, restricted, domain.
Narrowing it, or taking a domain off a restricted port's allow list, cuts off
consumers that were allowed to read it.

  previous: access: {visibility: "restricted", allow: ["finance", "marketing"]}
  current:  access: {visibility: "restricted", allow: ["finance"]}

  domains/sales/orders.cue:27:38: breaking-change: output port "daily" no longer allows domain marketing (access-narrowed): sales.orders is active, so a breaking change needs a major version bump (1.0.0 → 2.0.0); it breaks marketing.campaigns (@acme/marketing)

The consumers cut off also fail the access rule. Agree the change with them
first, or bump the major version.`),
}, accessNarrowed)

// visibilityRank orders visibilities from the widest audience.
var visibilityRank = map[string]int{catalog.VisibilityPublic: 0, catalog.VisibilityRestricted: 1, catalog.VisibilityDomain: 2}

func accessNarrowed(b, a *catalog.Product) []Breaking {
	var out []Breaking
	ports(b, a, func(name string, bp, ap catalog.OutputPort) {
		bv, av := bp.Access.Visibility, ap.Access.Visibility
		switch {
		case visibilityRank[av] > visibilityRank[bv]:
			out = append(out, Breaking{"access-narrowed", portPath(name, "access", "visibility"),
				fmt.Sprintf("output port %q narrows its visibility from %s to %s", name, bv, av)})
		case bv == catalog.VisibilityRestricted && av == catalog.VisibilityRestricted:
			var lost []string
			for _, d := range bp.Access.Allow {
				if !slices.Contains(ap.Access.Allow, d) {
					lost = append(lost, d)
				}
			}
			if len(lost) > 0 {
				out = append(out, Breaking{"access-narrowed", portPath(name, "access", "allow"),
					fmt.Sprintf("output port %q no longer allows domain %s", name, strings.Join(lost, ", "))})
			}
		}
	})
	return out
}

var _ = registerChange(rule.Rule{
	ID: "slo-weakened", Code: "breaking-change", Stage: rule.Plan,
	Purpose: "freshness or latency longer, availability lower, retention shorter, or an SLO removed",
	Explanation: explainBreaking("slo-weakened", `The SLO is a promise consumers plan around: data at most freshness old,
answers within latency, availability percent of the time, kept for
retention. Loosening any of them, or dropping it, is breaking; tightening is
not.

  previous: slo: {freshness: "15m", availability: 99.9, retention: "30d"}
  current:  slo: {freshness: "1h", availability: 99.9, retention: "30d"}

  domains/sales/orders.cue:9:8: breaking-change: the freshness SLO weakens from 15m to 1h (slo-weakened): sales.orders is active, so a breaking change needs a major version bump (1.0.0 → 2.0.0); it breaks finance.revenue (@acme/finance), marketing.campaigns (@acme/marketing)

Keep the SLO, or bump the major version.`),
}, sloWeakened)

func sloWeakened(b, a *catalog.Product) []Breaking {
	if b.SLO == nil {
		return nil
	}
	var as catalog.SLO
	if a.SLO != nil {
		as = *a.SLO
	}
	bs := *b.SLO
	var out []Breaking
	longer := func(key, before, after string) {
		switch {
		case before == "":
		case after == "":
			out = append(out, Breaking{"slo-weakened", "slo." + key, fmt.Sprintf("the %s SLO (%s) is removed", key, before)})
		case Duration(after) > Duration(before):
			out = append(out, Breaking{"slo-weakened", "slo." + key, fmt.Sprintf("the %s SLO weakens from %s to %s", key, before, after)})
		}
	}
	longer("freshness", bs.Freshness, as.Freshness)
	longer("latency", bs.Latency, as.Latency)
	switch {
	case bs.Availability == nil:
	case as.Availability == nil:
		out = append(out, Breaking{"slo-weakened", "slo.availability", fmt.Sprintf("the availability SLO (%v%%) is removed", *bs.Availability)})
	case *as.Availability < *bs.Availability:
		out = append(out, Breaking{"slo-weakened", "slo.availability", fmt.Sprintf("the availability SLO weakens from %v%% to %v%%", *bs.Availability, *as.Availability)})
	}
	switch {
	case bs.Retention == "":
	case as.Retention == "":
		out = append(out, Breaking{"slo-weakened", "slo.retention", fmt.Sprintf("the retention SLO (%s) is removed", bs.Retention)})
	case Duration(as.Retention) < Duration(bs.Retention):
		out = append(out, Breaking{"slo-weakened", "slo.retention", fmt.Sprintf("the retention SLO shortens from %s to %s", bs.Retention, as.Retention)})
	}
	return out
}

// Duration parses the schema's durations ("15m", "200ms", "7d") into
// milliseconds; it returns 0 for what it cannot read.
func Duration(s string) int64 {
	units := []struct {
		suffix string
		ms     int64
	}{{"ms", 1}, {"s", 1000}, {"m", 60_000}, {"h", 3_600_000}, {"d", 86_400_000}}
	for _, u := range units {
		if n, ok := strings.CutSuffix(s, u.suffix); ok {
			v, err := strconv.ParseInt(n, 10, 64)
			if err != nil {
				continue // "5ms" is not "5m" + "s"
			}
			return v * u.ms
		}
	}
	return 0
}

var _ = registerChange(rule.Rule{
	ID: "classification-lowered", Code: "breaking-change", Stage: rule.Plan,
	Purpose: "a product's or field's effective classification is lowered, or a PII flag removed",
	Explanation: explainBreaking("classification-lowered", `Classification (public < internal < confidential < restricted) and the pii
flag decide how consumers must store and share the data. A field's effective
classification is its own, or else its product's: what consumers see.
Lowering it tells consumers the data may be handled more loosely than
before: that is a decision for them too. A field that drops its own
classification while its product's is as high changes nothing.

  previous: classification: "confidential"
  current:  classification: "internal"

  domains/sales/orders.cue:8:2: breaking-change: the product's classification is lowered from confidential to internal (classification-lowered): sales.orders is active, so a breaking change needs a major version bump (1.0.0 → 2.0.0); it breaks finance.revenue (@acme/finance), marketing.campaigns (@acme/marketing)

Raising a classification is allowed, and reported to every consumer as a
notice (rule classification-raised): their obligations grow. Agree a
lowering with the consumers, or bump the major version.`),
}, classificationLowered)

// classificationRank orders classifications from the least protected.
var classificationRank = map[string]int{"": 0, "public": 1, "internal": 2, "confidential": 3, "restricted": 4}

// effective returns a field's effective classification: its own, or else
// its product's.
func effective(f catalog.Field, product string) string {
	return cmp.Or(f.Classification, product)
}

// classificationMoves calls lowered or raised for the product's
// classification and every field's effective one that moved. A field that
// only follows its product (no classification of its own on either side)
// moves with it and is not named again.
func classificationMoves(b, a *catalog.Product, moved func(path, what, from, to string, lower bool)) {
	if br, ar := classificationRank[b.Classification], classificationRank[a.Classification]; br != ar {
		moved("classification", "the product's classification", b.Classification, a.Classification, ar < br)
	}
	fields(b, a, func(port string, f fieldPair) {
		if f.b.Classification == "" && f.a.Classification == "" {
			return
		}
		be, ae := effective(f.b, b.Classification), effective(f.a, a.Classification)
		if br, ar := classificationRank[be], classificationRank[ae]; br != ar {
			moved(f.path+".classification", "field "+fieldName(f)+"'s classification", be, ae, ar < br)
		}
	}, nil)
}

func classificationLowered(b, a *catalog.Product) []Breaking {
	var out []Breaking
	classificationMoves(b, a, func(path, what, from, to string, lower bool) {
		if lower {
			out = append(out, Breaking{"classification-lowered", path, fmt.Sprintf("%s is lowered from %s to %s", what, from, to)})
		}
	})
	fields(b, a, func(port string, f fieldPair) {
		if f.b.PII && !f.a.PII {
			out = append(out, Breaking{"classification-lowered", f.path + ".pii", fmt.Sprintf("field %s is no longer marked PII", fieldName(f))})
		}
	}, nil)
	return out
}

// classificationRaised returns the raised classifications of an update:
// not breaking, but every consumer's obligations grow, so they are told.
func classificationRaised(b, a *catalog.Product) []Breaking {
	if b == nil || a == nil {
		return nil
	}
	var out []Breaking
	classificationMoves(b, a, func(path, what, from, to string, lower bool) {
		if !lower {
			out = append(out, Breaking{"classification-raised", path, fmt.Sprintf("%s is raised from %s to %s", what, from, to)})
		}
	})
	fields(b, a, func(port string, f fieldPair) {
		if !f.b.PII && f.a.PII {
			out = append(out, Breaking{"classification-raised", f.path + ".pii", fmt.Sprintf("field %s is now marked PII", fieldName(f))})
		}
	}, nil)
	return out
}
