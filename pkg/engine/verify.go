package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing/fstest"

	"github.com/meshc-dev/meshc/pkg/catalog"
	"github.com/meshc-dev/meshc/pkg/compile"
	"github.com/meshc-dev/meshc/pkg/diag"
	"github.com/meshc-dev/meshc/pkg/mesh"
	"github.com/meshc-dev/meshc/pkg/plan"
	"github.com/meshc-dev/meshc/pkg/source"
	"github.com/meshc-dev/meshc/pkg/state"
)

// verified is a saved plan checked against this mesh: the plan recomputed
// from its desired catalog (what is applied), or why it is refused.
type verified struct {
	plan    *plan.Plan
	refused diag.Diagnostics
}

// verify checks a saved plan, trusting nothing in it: its seal (the mesh
// it was made for, its checksum), that it was made against live as it is,
// that its desired catalog names only this mesh's domains and products
// under their own ids, and that diffing that catalog against live again
// gives exactly the changes it lists. The diagnostics are computed again
// (schema, policies, mesh rules, rules of change, waivers), never read.
func (e *Engine) verify(ctx context.Context, p *plan.Plan, file string, live *state.Catalog) (*verified, error) {
	v := &verified{plan: p}
	if ds := p.CheckSeal(file, plan.MeshOf(e.cfg.Platform.Name, live)); len(ds) > 0 {
		v.refused = ds
		return v, nil
	}
	if err := p.CheckFresh(live); err != nil {
		v.refused = diag.Diagnostics{diag.Errorf("stale-plan", "%v", err)}
		return v, nil
	}
	if ds := p.CheckDesired(file, e.cfg.DomainNames()); len(ds) > 0 {
		v.refused = ds
		return v, nil
	}
	again, err := e.replanSaved(ctx, p, file, live)
	if err != nil {
		return nil, err
	}
	v.plan = again
	// What the file lists that its catalog does not make, then the errors
	// its catalog has: both, so the refusal says everything.
	for _, d := range p.CompareChanges(again) {
		v.refused = append(v.refused, diag.Errorf("sealed-plan",
			"the plan's desired catalog does not make the changes it lists: %s; make it again with meshc plan -out", d).At(diag.Pos{File: file}))
	}
	if n := again.Diagnostics.Count(diag.Error); n > 0 {
		v.refused = append(v.refused, diag.Errorf("sealed-plan",
			"the plan's desired catalog has %d errors when checked again (below), where the plan lists %d: make it again with meshc plan -out and fix them",
			n, p.Diagnostics.Count(diag.Error)).At(diag.Pos{File: file}))
		v.refused = append(v.refused, again.Diagnostics.Errors()...)
	}
	if len(v.refused) > 0 {
		return v, nil
	}
	if !slices.Equal(p.Moved, again.Moved) || !maps.Equal(p.Sources, again.Sources) {
		v.refused = diag.Diagnostics{diag.Errorf("sealed-plan",
			"the plan's sources do not match its desired catalog's domains: the file was edited; make it again with meshc plan -out").At(diag.Pos{File: file})}
		return v, nil
	}
	return v, nil
}

// replanSaved diffs a saved plan's desired catalog against live again,
// after compiling it against the schema and policies and checking the mesh
// it makes. The domains the plan left as they are live stay so; the
// diagnostics are located at the plan file's desired catalog.
func (e *Engine) replanSaved(ctx context.Context, p *plan.Plan, file string, live *state.Catalog) (*plan.Plan, error) {
	var domains []*source.Domain
	var left []string
	for _, name := range e.cfg.DomainNames() {
		if _, skip := p.Skipped[name]; skip {
			left = append(left, name)
			continue
		}
		d, ok := p.Desired.Domains[name]
		if !ok {
			continue
		}
		sd, err := desiredDomain(name, d, p.Desired.Products)
		if err != nil {
			return nil, err
		}
		domains = append(domains, sd)
	}
	res, err := mesh.LoadDomains(ctx, e.cfg, domains, live.Mesh(), left, compile.Options{})
	if err != nil {
		return nil, err
	}
	// A product of the file that fails the schema is not in res.Mesh: not
	// kept as it is live, but an error that refuses the plan.
	again := plan.Diff(res.Mesh, live, plan.Options{
		Today:         e.o.Now(),
		MinSunsetDays: e.cfg.Lifecycle.MinSunsetDays,
		Skip:          p.Skipped,
	})
	ds := append(again.Diagnostics, res.Diagnostics...)
	for i := range ds {
		ds[i] = ds[i].At(diag.Pos{File: file}) // its lines are not the file's
	}
	again.Diagnostics = e.waive(ctx, &loaded{res: res, live: live}, ds)
	return again, nil
}

// desiredDomain writes a saved plan's desired domain as the CUE of a
// domain directory: its header and its products, without what meshc sets
// (names and ids are checked by the schema against the domain's name).
func desiredDomain(name string, d *catalog.Domain, products map[string]*catalog.Product) (*source.Domain, error) {
	ps := map[string]any{}
	for _, id := range catalog.SortedKeys(products) {
		pr := products[id]
		if pr.Domain != name {
			continue
		}
		t, err := plain(pr)
		if err != nil {
			return nil, fmt.Errorf("the plan's product %s: %w", id, err)
		}
		delete(t, "source")
		ps[pr.Name] = t
	}
	hdr, err := plain(d)
	if err != nil {
		return nil, fmt.Errorf("the plan's domain %s: %w", name, err)
	}
	for _, k := range []string{"name", "source"} {
		delete(hdr, k)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "package %s\n\n", name)
	for _, kv := range []struct {
		k string
		v any
	}{{"domain", hdr}, {"products", ps}} {
		j, err := json.Marshal(kv.v)
		if err != nil {
			return nil, err
		}
		fmt.Fprintf(&b, "%s: %s\n", kv.k, j)
	}
	return &source.Domain{
		Name:   name,
		FS:     fstest.MapFS{"desired.cue": {Data: []byte(b.String())}},
		Dir:    "desired/" + name,
		Source: d.Source,
	}, nil
}

// plain returns v's JSON form as maps, without nulls and empty strings:
// what a domain's CUE would leave out.
func plain(v any) (map[string]any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var t map[string]any
	if err := json.Unmarshal(b, &t); err != nil {
		return nil, err
	}
	prune(t)
	return t, nil
}

func prune(v any) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if e == nil || e == "" {
				delete(x, k)
				continue
			}
			prune(e)
		}
	case []any:
		for _, e := range x {
			prune(e)
		}
	}
}
