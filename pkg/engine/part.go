package engine

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/meshc-dev/meshc/pkg/catalog"
	"github.com/meshc-dev/meshc/pkg/check"
	"github.com/meshc-dev/meshc/pkg/diag"
	"github.com/meshc-dev/meshc/pkg/mesh"
	"github.com/meshc-dev/meshc/pkg/state"
)

// A pull-request check (some domains from checkouts, the others as they
// are live) reads only the part of the live catalog its domains touch, so
// that it costs those domains, whatever the size of the mesh. The part is
// chosen from the live catalog's index (state.Index), and every rule and
// rule of change then sees all it would see in the whole. It is:
//
//   - the checked domains' live products (what their changes are diffed
//     against) and the products of domains mesh.cue no longer has (the
//     plan removes them);
//   - their direct consumers, and the products naming one of them as
//     replacement, which a change can leave reading nothing;
//   - the products on a cycle with them (the strongly connected
//     components of who reads whom that hold one of them);
//   - the products claiming one of their locations or OpenLineage
//     datasets, for the duplicate and lineage rules;
//   - the consumers observed reading them (usage), for a change's impact;
//   - as context, the products all of those read or name as replacement,
//     for the references, access and lifecycle rules of their inputs;
//   - and, as stubs made from the index alone (a domain and the products
//     it reads, nothing decoded), their consumers' consumers,
//     transitively: the rest of a breaking change's impact.
//
// A context product's or stub's own inputs are not all in the part, so
// what the mesh rules say of them is dropped (dropContext): nothing a
// checked domain does can make a rule fail there. What the part leaves
// out are products that no rule relates to the checked domains: live,
// and checked when they were applied.

// partNeeds is what part of the live catalog a check needs; Choose
// chooses it from the index, and records which products it took as
// context and which to stub.
type partNeeds struct {
	cfg, local map[string]bool // the domains of mesh.cue; the checked ones
	res        *mesh.Result    // the mesh compiled for the checked domains
	usage      []state.UsageAggregate

	context map[string]bool // set by Choose: context products and stubs
	stubs   []string        // set by Choose: the products to stub
}

// Choose is a state.Choose: it returns the products to read whole.
func (n *partNeeds) Choose(idx *state.Index) []string {
	desired := map[string]state.IndexEntry{}
	for id, p := range n.res.Compiled() {
		if n.local[p.Domain] {
			desired[id] = state.IndexEntryOf(p)
		}
	}
	// The checked products: new, changed, failing or live.
	own := map[string]bool{}
	for id := range desired {
		own[id] = true
	}
	for id := range n.res.Invalid {
		if domain, _, _ := strings.Cut(id, "."); n.local[domain] {
			own[id] = true
		}
	}
	for id, e := range idx.Products {
		if n.local[e.Domain] || !n.cfg[e.Domain] {
			own[id] = true
		}
	}
	// What each product reads and names: the checked ones as they are
	// desired and as they are live, the others as they are live.
	entries := func(id string) []state.IndexEntry {
		e, live := idx.Products[id]
		d, checked := desired[id]
		switch {
		case checked && live:
			return []state.IndexEntry{d, e}
		case checked:
			return []state.IndexEntry{d}
		case live:
			return []state.IndexEntry{e}
		}
		return nil
	}
	reads := func(id string) []string {
		d, checked := desired[id]
		if !checked {
			return idx.Products[id].Reads
		}
		return append(slices.Clone(d.Reads), idx.Products[id].Reads...)
	}
	all := slices.Sorted(maps.Keys(unionKeys(idx.Products, desired)))
	readers, namers := map[string][]string{}, map[string][]string{}
	for _, id := range all {
		for _, e := range entries(id) {
			for _, r := range e.Reads {
				readers[r] = append(readers[r], id)
			}
			if e.Replacement != "" {
				namers[e.Replacement] = append(namers[e.Replacement], id)
			}
		}
	}
	seeds := slices.Sorted(maps.Keys(own))
	out := maps.Clone(own)
	for _, id := range seeds {
		for _, r := range readers[id] {
			out[r] = true
		}
		for _, r := range namers[id] {
			out[r] = true
		}
	}
	down := reach(seeds, func(id string) []string { return readers[id] })
	for _, scc := range check.Cyclic(all, reads) {
		if slices.ContainsFunc(scc, func(id string) bool { return own[id] }) {
			for _, id := range scc {
				out[id] = true // on a cycle with a checked product
			}
		}
	}
	claims(idx, own, desired, out)
	for _, a := range n.usage {
		if own[a.Product] && !strings.HasPrefix(a.Consumer, "job:") {
			out[a.Consumer] = true
		}
	}
	n.context = map[string]bool{}
	for id := range out {
		for _, e := range entries(id) {
			for _, r := range append(slices.Clone(e.Reads), e.Replacement) {
				if r != "" && !out[r] {
					n.context[r] = true
				}
			}
		}
	}
	ids := slices.Collect(maps.Keys(out))
	for id := range n.context {
		ids = append(ids, id)
	}
	n.stubs = nil
	for id := range down {
		if _, live := idx.Products[id]; live && !out[id] && !n.context[id] {
			n.stubs = append(n.stubs, id)
			n.context[id] = true
		}
	}
	slices.Sort(ids)
	slices.Sort(n.stubs)
	return ids
}

// read reads the part of the live catalog n needs with readPart (a
// Store's or a Lock's ReadPart) and adds the stubs to it.
func (n *partNeeds) read(ctx context.Context, readPart func(context.Context, state.Choose) (*state.Catalog, error)) (*state.Catalog, error) {
	part, err := readPart(ctx, n.Choose)
	if err != nil {
		return nil, err
	}
	if part.Part() != nil {
		n.addStubs(part)
	}
	return part, nil
}

// against returns res checked against live, the part n read (or the
// whole catalog, when there was none yet to take part of).
func (n *partNeeds) against(res *mesh.Result, live *state.Catalog) *mesh.Result {
	if live.Part() == nil {
		return res.WithPart(live.Mesh(), nil, nil)
	}
	out := res.WithPart(live.Mesh(), known(live.Part(), res), n.context)
	if out != res {
		out.Diagnostics = n.dropContext(out.Diagnostics)
	}
	return out
}

// addStubs adds to part, read through Choose, the products to stub: each
// with its domain and an input port per product it reads, which is all
// a breaking change's impact follows downstream.
func (n *partNeeds) addStubs(part *state.Catalog) {
	idx := part.Part()
	for _, id := range n.stubs {
		e := idx.Products[id]
		domain, name, _ := strings.Cut(id, ".")
		p := &catalog.Product{ID: id, Name: name, Domain: domain, InputPorts: map[string]catalog.InputPort{}}
		for i, r := range e.Reads {
			p.InputPorts[fmt.Sprintf("in%d", i)] = catalog.InputPort{Product: r}
		}
		part.AddStub(p)
	}
}

// dropContext removes what the mesh rules said of the products taken as
// context or stubbed: their own inputs were not all read, so a rule may
// see them dangle.
func (n *partNeeds) dropContext(ds diag.Diagnostics) diag.Diagnostics {
	return slices.DeleteFunc(slices.Clone(ds), func(d diag.Diagnostic) bool { return n.context[d.Product] })
}

func unionKeys[A, B any](a map[string]A, b map[string]B) map[string]bool {
	out := make(map[string]bool, len(a)+len(b))
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}

// reach returns the products reachable from seeds along next, seeds
// not included unless reached again.
func reach(seeds []string, next func(string) []string) map[string]bool {
	seen := map[string]bool{}
	queue := slices.Clone(seeds)
	for len(queue) > 0 {
		id := queue[0]
		queue = queue[1:]
		for _, n := range next(id) {
			if !seen[n] {
				seen[n] = true
				queue = append(queue, n)
			}
		}
	}
	return seen
}

// claims adds to out the products that claim a location or OpenLineage
// dataset one of own claims, desired or live.
func claims(idx *state.Index, own map[string]bool, desired map[string]state.IndexEntry, out map[string]bool) {
	locations, datasets := map[string]bool{}, map[catalog.LineageID]bool{}
	for id := range own {
		for _, e := range []state.IndexEntry{desired[id], idx.Products[id]} {
			for _, l := range e.Locations {
				locations[l] = true
			}
			for _, d := range e.Datasets {
				datasets[d] = true
			}
		}
	}
	for id, e := range idx.Products {
		if out[id] {
			continue
		}
		if slices.ContainsFunc(e.Locations, func(l string) bool { return locations[l] }) ||
			slices.ContainsFunc(e.Datasets, func(d catalog.LineageID) bool { return datasets[d] }) {
			out[id] = true
		}
	}
}

// known is every product id of the whole live catalog idx indexes and of
// the compiled mesh, sorted.
func known(idx *state.Index, res *mesh.Result) []string {
	set := make(map[string]bool, len(idx.Products))
	for id := range idx.Products {
		set[id] = true
	}
	for id := range res.Compiled() {
		set[id] = true
	}
	return slices.Sorted(maps.Keys(set))
}
