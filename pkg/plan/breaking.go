package plan

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/meshc-dev/meshc/pkg/catalog"
)

// Rule is one rule of change: a stable ID, what it protects, and its check.
type Rule struct {
	ID      string
	Purpose string
	// Stage is "plan": these rules compare the desired mesh with the live
	// catalog.
	Stage string
	check func(b, a *catalog.Product) []Breaking
}

// Rules returns the rules of change, then the plan's lifecycle rules, in a
// stable order. A published output port is a promise to consumers:
// guarantees may be strengthened at any time, weakening one is breaking.
func Rules() []Rule {
	rules := []Rule{
		{ID: "port-removed", Purpose: "an output port is removed", check: portRemoved},
		{ID: "port-changed", Purpose: "an output port's type, location or format changes", check: portChanged},
		{ID: "field-removed", Purpose: "a field is removed from an output port's schema", check: fieldRemoved},
		{ID: "field-renamed", Purpose: "a field is renamed (declared with renamedFrom): consumers must follow", check: fieldRenamed},
		{ID: "field-type-changed", Purpose: "a field's type changes, except the safe widening integer → number", check: fieldTypeChanged},
		{ID: "field-optional", Purpose: "a required field becomes optional", check: fieldOptional},
		{ID: "field-not-unique", Purpose: "a unique field stops being unique", check: fieldNotUnique},
		{ID: "access-narrowed", Purpose: "a port's access is narrowed (visibility, or a domain taken off allow)", check: accessNarrowed},
		{ID: "slo-weakened", Purpose: "an SLO is weakened or removed (freshness or latency longer, availability lower, retention shorter)", check: sloWeakened},
		{ID: "classification-lowered", Purpose: "a product's or field's classification is lowered or removed, or a PII flag removed", check: classificationLowered},
	}
	for i := range rules {
		rules[i].Stage = "plan"
	}
	return append(rules, lifecycleRuleList()...)
}

// breakingChanges runs every rule of change on an update or a delete.
func breakingChanges(before, after *catalog.Product) []Breaking {
	if before == nil {
		return nil
	}
	if after == nil {
		if !published(before.Status) {
			return nil
		}
		return []Breaking{{Rule: "product-removed", Path: "", Message: "the product is removed"}}
	}
	var out []Breaking
	for _, r := range Rules() {
		if r.check != nil {
			out = append(out, r.check(before, after)...)
		}
	}
	slices.SortStableFunc(out, func(x, y Breaking) int { return strings.Compare(x.Path, y.Path) })
	return out
}

func portPath(port string, elems ...string) string {
	return strings.Join(append([]string{"outputPorts", port}, elems...), ".")
}

func portRemoved(b, a *catalog.Product) []Breaking {
	var out []Breaking
	for _, name := range catalog.SortedKeys(b.OutputPorts) {
		if _, ok := a.OutputPorts[name]; !ok {
			out = append(out, Breaking{"port-removed", portPath(name), fmt.Sprintf("output port %q is removed", name)})
		}
	}
	return out
}

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
		path := prefix + "." + name
		fn(port, fieldPair{path: path, beforeName: bname, b: bf, a: af})
		if bf.Fields != nil || af.Fields != nil {
			walkFields(port, path+".fields", bf.Fields, af.Fields, fn, removed)
		}
		if bf.Items != nil && af.Items != nil {
			fn(port, fieldPair{path: path + ".items", beforeName: bname, b: *bf.Items, a: *af.Items})
		}
	}
	for _, name := range catalog.SortedKeys(bs) {
		if !matched[name] && removed != nil {
			removed(port, prefix+"."+name, name)
		}
	}
}

func fieldRemoved(b, a *catalog.Product) []Breaking {
	var out []Breaking
	fields(b, a, func(string, fieldPair) {}, func(port, path, name string) {
		out = append(out, Breaking{"field-removed", path, fmt.Sprintf("field %q is removed from output port %q", name, port)})
	})
	return out
}

func fieldRenamed(b, a *catalog.Product) []Breaking {
	var out []Breaking
	fields(b, a, func(port string, f fieldPair) {
		if name := f.path[strings.LastIndexByte(f.path, '.')+1:]; f.beforeName != name && !strings.HasSuffix(f.path, ".items") {
			out = append(out, Breaking{"field-renamed", f.path, fmt.Sprintf("field %q of output port %q is renamed to %q", f.beforeName, port, name)})
		}
	}, nil)
	return out
}

// safeWidenings are the type changes no consumer notices.
var safeWidenings = map[[2]string]bool{{"integer", "number"}: true}

func fieldTypeChanged(b, a *catalog.Product) []Breaking {
	var out []Breaking
	fields(b, a, func(port string, f fieldPair) {
		if f.b.Type != f.a.Type && !safeWidenings[[2]string{f.b.Type, f.a.Type}] {
			out = append(out, Breaking{"field-type-changed", f.path + ".type",
				fmt.Sprintf("field %s changes type from %s to %s", fieldName(f), f.b.Type, f.a.Type)})
		}
	}, nil)
	return out
}

func fieldName(f fieldPair) string {
	rest, _ := strings.CutPrefix(f.path, "outputPorts.")
	return strconv.Quote(strings.ReplaceAll(strings.Replace(rest, ".schema.", ".", 1), ".fields.", "."))
}

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

// classificationRank orders classifications from the least protected.
var classificationRank = map[string]int{"": 0, "public": 1, "internal": 2, "confidential": 3, "restricted": 4}

func classificationLowered(b, a *catalog.Product) []Breaking {
	var out []Breaking
	if classificationRank[a.Classification] < classificationRank[b.Classification] {
		out = append(out, Breaking{"classification-lowered", "classification",
			fmt.Sprintf("the product's classification is lowered from %s to %s", b.Classification, a.Classification)})
	}
	fields(b, a, func(port string, f fieldPair) {
		if classificationRank[f.a.Classification] < classificationRank[f.b.Classification] {
			out = append(out, Breaking{"classification-lowered", f.path + ".classification",
				fmt.Sprintf("field %s's classification is lowered from %s to %s", fieldName(f), f.b.Classification, quoteOrNone(f.a.Classification))})
		}
		if f.b.PII && !f.a.PII {
			out = append(out, Breaking{"classification-lowered", f.path + ".pii", fmt.Sprintf("field %s is no longer marked PII", fieldName(f))})
		}
	}, nil)
	return out
}
