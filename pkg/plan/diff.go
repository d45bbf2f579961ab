package plan

import (
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/sergi/go-diff/diffmatchpatch"

	"github.com/meshc-dev/meshc/pkg/catalog"
	"github.com/meshc-dev/meshc/pkg/diag"
	"github.com/meshc-dev/meshc/pkg/state"
)

// Options tunes Diff.
type Options struct {
	// Today is the date lifecycle rules count from; zero means now.
	Today time.Time
	// MinSunsetDays is how far after its first deprecation a product's
	// sunset must be.
	MinSunsetDays int
	// Skip names domains to leave exactly as the live catalog has them,
	// with the reason (a source that could not be read is never a domain
	// with no products).
	Skip map[string]catalog.Keep
	// Unknown names products whose desired state is unknown (they failed the
	// schema): they too stay as they are live.
	Unknown map[string]bool
	// Drift labels every change with the side that moved since the last
	// apply (reconcile): a change that restores a catalog changed outside
	// git is a repair, to which the rules of change do not apply.
	Drift bool
	// Usage is the observed usage (daily aggregates): a breaking change's
	// impact lists the consumers seen reading its ports beside the
	// declared ones, and removing or retiring a port still read warns.
	Usage []state.UsageAggregate

	observed observed
}

// Diff plans the change from live to desired. The plan's diagnostics hold
// the breaking changes and lifecycle moves that are not allowed.
func Diff(desired *catalog.Mesh, live *state.Catalog, o Options) *Plan {
	if o.Today.IsZero() {
		o.Today = time.Now()
	}
	o.observed = newObserved(o.Usage, o.Today)
	p := &Plan{
		FormatVersion: FormatVersion,
		LiveSerial:    live.Serial,
		Lineage:       live.Lineage,
		Sources:       map[string]Source{},
		Changes:       []*Change{},
		Diagnostics:   diag.Diagnostics{},
		Desired:       &Desired{Domains: map[string]*catalog.Domain{}, Products: map[string]*catalog.Product{}},
		Skipped:       o.Skip,
		part:          live.Part() != nil,
	}
	for name, d := range desired.Domains {
		p.Desired.Domains[name] = d
		p.Sources[name] = Source(d.Source)
	}
	maps.Copy(p.Desired.Products, desired.Products)
	// Skipped domains and unknown products stay as they are live.
	for name := range o.Skip {
		delete(p.Desired.Domains, name)
		delete(p.Sources, name)
		if d := live.Domains[name]; d != nil {
			p.Desired.Domains[name] = d
		}
	}
	for id, pr := range p.Desired.Products {
		if _, skip := o.Skip[pr.Domain]; skip {
			delete(p.Desired.Products, id)
		}
	}
	for id, lp := range live.Products {
		if _, skip := o.Skip[lp.Domain]; skip || o.Unknown[id] {
			p.Desired.Products[id] = lp
		}
	}

	for _, name := range slices.Sorted(maps.Keys(desired.Domains)) {
		if _, skip := o.Skip[name]; skip {
			continue
		}
		rev := desired.Domains[name].Source.Revision()
		if ld := live.Domains[name]; ld != nil && rev != "" && rev != ld.Source.Revision() {
			p.Moved = append(p.Moved, name)
		}
	}

	g := newGraph(p.Desired)
	ids := slices.Sorted(maps.Keys(unionKeys(p.Desired.Products, live.Products)))
	for _, id := range ids {
		before, after := live.Products[id], p.Desired.Products[id]
		c := &Change{Product: id}
		switch {
		case before == nil:
			c.Action, c.Domain = Create, after.Domain
			c.Fields = created(after)
			p.Summary.Create++
		case after == nil:
			c.Action, c.Domain = Delete, before.Domain
			p.Summary.Delete++
		case before == after:
			// Taken as it is live (a domain left alone, another domain of a
			// pull-request check): nothing to compare.
			c.Domain, c.Action = after.Domain, NoOp
		default:
			c.Domain = after.Domain
			c.Fields = fieldChanges(before, after)
			if len(c.Fields) == 0 {
				c.Action = NoOp
			} else {
				c.Action = Update
				p.Summary.Update++
			}
		}
		if before != nil {
			c.Before = &VersionStatus{Version: before.Version, Status: before.Status}
		}
		if after != nil {
			c.After = &VersionStatus{Version: after.Version, Status: after.Status}
			c.Source = after.Source
		} else {
			c.Source = before.Source
		}
		if c.Action == NoOp {
			p.Changes = append(p.Changes, c)
			continue
		}
		if o.Drift {
			c.Drift = driftOf(c, live, p.Sources)
		}
		if c.Drift == DriftCatalogChanged {
			// A repair restores what the very revision applied declares:
			// the rules of change judged that revision when it was
			// applied, not the hand edit it undoes.
			c.Impacted = g.impacted(id, changedPorts(c, before, after))
			p.Changes = append(p.Changes, c)
			continue
		}
		c.Breaking = breakingChanges(before, after)
		c.Notices = classificationRaised(before, after)
		p.Summary.Breaking += len(c.Breaking)
		ports := changedPorts(c, before, after)
		c.Impacted = g.impacted(id, ports)
		if len(c.Breaking) > 0 || c.Action == Delete {
			c.Impacted = g.addObserved(c.Impacted, o.observed, id, ports)
		}
		p.Diagnostics = append(p.Diagnostics, judge(&changeContext{desired: desired, live: live, g: g, c: c, before: before, after: after, o: o})...)
		p.Changes = append(p.Changes, c)
	}
	p.Diagnostics.Sort()
	p.Diagnostics = p.Diagnostics.Compact()
	return p
}

func unionKeys[V any](a, b map[string]V) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}

// fieldChanges returns every changed path between two versions of a
// product, sorted. An added or removed port or field is one change with its
// whole value, except a deprecation, whose fields are each one; lists
// (tags, allow) compare as a whole.
func fieldChanges(before, after *catalog.Product) []FieldChange {
	var out []FieldChange
	var walk func(path string, b, a any, bok, aok bool)
	walk = func(path string, b, a any, bok, aok bool) {
		bm, bIsMap := b.(map[string]any)
		am, aIsMap := a.(map[string]any)
		// A deprecation is shown field by field, added or removed too:
		// its sunset and replacement are never cut off with a long reason.
		if path == "deprecation" && (bIsMap || aIsMap) {
			if !bIsMap {
				bm, bIsMap, bok = map[string]any{}, true, true
			}
			if !aIsMap {
				am, aIsMap, aok = map[string]any{}, true, true
			}
		}
		if bok && aok && bIsMap && aIsMap {
			for _, k := range slices.Sorted(maps.Keys(unionKeys(bm, am))) {
				bv, bk := bm[k]
				av, ak := am[k]
				walk(join(path, k), bv, av, bk, ak)
			}
			return
		}
		if bok && aok && reflect.DeepEqual(b, a) {
			return
		}
		fc := FieldChange{Path: path, Before: b, After: a}
		if bs, ok := b.(string); ok {
			if as, ok := a.(string); ok && len(bs)+len(as) > 60 {
				fc.Diff = textDiff(bs, as)
			}
		}
		out = append(out, fc)
	}
	walk("", tree(before), tree(after), true, true)
	return out
}

// created summarises a new product for reviewers: what it promises (its
// output ports) and what it reads.
func created(p *catalog.Product) []FieldChange {
	out := []FieldChange{{Path: "description", After: p.Description}}
	for _, name := range catalog.SortedKeys(p.InputPorts) {
		in := p.InputPorts[name]
		out = append(out, FieldChange{Path: "inputPorts." + name, After: in.Product + "." + in.Port})
	}
	for _, name := range catalog.SortedKeys(p.OutputPorts) {
		port := p.OutputPorts[name]
		out = append(out, FieldChange{Path: "outputPorts." + name, After: fmt.Sprintf("%s %s, %s, %d fields",
			port.Type, port.Location, port.Access.Visibility, len(port.Schema))})
	}
	return out
}

// tree returns p's JSON form as maps, without the names meshc sets and
// the provenance: a new commit that changes nothing in a product is no
// change of it.
func tree(p *catalog.Product) map[string]any {
	raw, err := json.Marshal(p)
	if err != nil {
		panic(fmt.Sprintf("plan: product %s does not encode: %v", p.ID, err)) // a bug: the model is plain data
	}
	var t map[string]any
	if err := json.Unmarshal(raw, &t); err != nil {
		panic(fmt.Sprintf("plan: product %s does not decode: %v", p.ID, err))
	}
	for _, k := range []string{"id", "name", "domain", "source"} {
		delete(t, k)
	}
	return t
}

func join(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

// textDiff renders a word-level diff of two texts: "[-old-]{+new+}".
func textDiff(before, after string) string {
	dmp := diffmatchpatch.New()
	diffs := dmp.DiffMain(before, after, false)
	diffs = dmp.DiffCleanupSemantic(diffs)
	var b strings.Builder
	for _, d := range diffs {
		switch d.Type {
		case diffmatchpatch.DiffEqual:
			b.WriteString(d.Text)
		case diffmatchpatch.DiffDelete:
			b.WriteString("[-" + d.Text + "-]")
		case diffmatchpatch.DiffInsert:
			b.WriteString("{+" + d.Text + "+}")
		}
	}
	return b.String()
}

// changedPorts returns the output ports of a product that a change touches:
// every port for a create or delete, else those with a changed path.
func changedPorts(c *Change, before, after *catalog.Product) []string {
	switch c.Action {
	case Delete:
		return catalog.SortedKeys(before.OutputPorts)
	case Create:
		return nil // nobody consumes it yet
	}
	seen := map[string]bool{}
	for _, f := range c.Fields {
		rest, ok := strings.CutPrefix(f.Path, "outputPorts.")
		if !ok {
			// status, version, SLO and classification concern every port.
			if f.Path == "status" || strings.HasPrefix(f.Path, "slo") || f.Path == "classification" || strings.HasPrefix(f.Path, "deprecation") {
				return unionPorts(before, after)
			}
			continue
		}
		port, _, _ := strings.Cut(rest, ".")
		seen[port] = true
	}
	return slices.Sorted(maps.Keys(seen))
}

func unionPorts(before, after *catalog.Product) []string {
	return slices.Sorted(maps.Keys(unionKeys(before.OutputPorts, after.OutputPorts)))
}
