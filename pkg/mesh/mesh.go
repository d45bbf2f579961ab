package mesh

import (
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"github.com/meshc-dev/meshc/pkg/catalog"
	"github.com/meshc-dev/meshc/pkg/check"
	"github.com/meshc-dev/meshc/pkg/compile"
	"github.com/meshc-dev/meshc/pkg/config"
	"github.com/meshc-dev/meshc/pkg/diag"
	"github.com/meshc-dev/meshc/pkg/rule"
	"github.com/meshc-dev/meshc/pkg/source"
)

// Result is a loaded and checked mesh.
type Result struct {
	Config      *config.Config
	Mesh        *catalog.Mesh
	Diagnostics diag.Diagnostics
	// Invalid holds products declared but failing the schema, and Failed
	// domains that could not be evaluated at all: their desired state is
	// unknown, so a plan must leave them as they are live.
	Invalid map[string]bool
	Failed  map[string]bool
	// Others names the domains taken as they are from Options.Others (the
	// live catalog) rather than compiled; a plan leaves them untouched.
	Others map[string]bool
	// Unreadable holds the domains whose source could not be read, with
	// Options.Tolerant; a plan must leave them untouched too.
	Unreadable map[string]error
	// Rules are the rules the platform's policies name (see
	// compile.Schema.Rules): rules of this mesh only.
	Rules []rule.Rule

	compiled compiled
	live     map[string]*catalog.Product
	known    []string        // every product id, when others holds part of the live catalog
	context  map[string]bool // the products of that part there as context only
}

// Options tunes Load.
type Options struct {
	Compile compile.Options
	// Source says where git sources are cached and how they authenticate.
	Source source.Options
	// Only, with Others, reads just these domains from their sources in
	// mesh.cue (a merge applied by the platform); the others come from
	// Others.
	Only map[string]bool
	// Local takes these domains (name -> directory) from a local checkout,
	// a pull request's, instead of their sources in mesh.cue.
	Local map[string]string
	// Others, when set, supplies every domain not in Local: their products
	// are taken as they are, not fetched nor compiled. A pull-request check
	// then needs no access to other domains' repositories.
	Others *catalog.Mesh
	// Tolerant skips a domain whose source cannot be read, recording it in
	// Result.Unreadable, instead of failing the load: the scheduled
	// reconcile job goes on with the other domains.
	Tolerant bool
	// Live, when set, holds the live catalog's products: the mesh rules
	// tell from it which claim is new (duplicate blames the newcomer).
	Live map[string]*catalog.Product
	// Unchecked compiles the domains but neither puts the mesh together
	// with Others nor checks it: the caller does, with WithPart, once it
	// knows which part of the live catalog the compiled domains need.
	// Result.Mesh is then the compiled domains alone.
	Unchecked bool
}

// Load fetches every domain of cfg, compiles it and checks the mesh. The
// error is for what stops meshc from doing its job (an unreadable source);
// problems in the mesh are diagnostics.
func Load(ctx context.Context, cfg *config.Config, o Options) (*Result, error) {
	sch, ds, err := compile.LoadSchema(cfg)
	if err != nil {
		return nil, err
	}
	if ds.HasErrors() {
		return &Result{Config: cfg, Mesh: catalog.NewMesh(), Diagnostics: ds, Rules: sch.Rules()}, nil
	}
	local, err := localDomains(cfg, o.Local)
	if err != nil {
		return nil, err
	}
	res := &Result{Config: cfg, Others: map[string]bool{}, Unreadable: map[string]error{}, Rules: sch.Rules(), live: o.Live}
	var names []string
	for _, name := range cfg.DomainNames() {
		switch {
		case local[name] != nil:
		case o.Others != nil && !o.Only[name]:
			res.Others[name] = true
		default:
			names = append(names, name)
		}
	}
	so := o.Source
	so.Only = map[string]bool{}
	for _, n := range names {
		so.Only[n] = true
	}
	var domains []*source.Domain
	if o.Tolerant {
		domains, res.Unreadable = source.FetchEach(ctx, cfg, so)
	} else if domains, err = source.Fetch(ctx, cfg, so); err != nil {
		return nil, err
	}
	for _, name := range slices.Sorted(maps.Keys(local)) {
		domains = append(domains, local[name])
	}
	co := o.Compile
	if !co.InProcess && !co.Budget.Set() {
		co.Budget = compile.Budget{Time: cfg.Platform.Budget.EvalTime(), Memory: cfg.Platform.Budget.EvalMemory()}
	}
	cr := compile.Compile(ctx, sch, domains, co)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	res.Invalid, res.Failed = cr.Invalid, cr.Failed
	res.compiled = compiled{mesh: cr.Mesh, diagnostics: append(ds, cr.Diagnostics...)}
	if o.Unchecked {
		res.Mesh, res.Diagnostics = cr.Mesh, res.compiled.diagnostics
		return res, nil
	}
	res.assemble(o.Others)
	return res, nil
}

// compiled is what a Load compiled itself, kept so the mesh can be put
// together again with other domains taken from a newer live catalog.
type compiled struct {
	mesh        *catalog.Mesh
	diagnostics diag.Diagnostics
}

// assemble puts the mesh together from the compiled domains and, for the
// domains in r.Others, from others; then checks it.
func (r *Result) assemble(others *catalog.Mesh) {
	m := catalog.NewMesh()
	maps.Copy(m.Domains, r.compiled.mesh.Domains)
	maps.Copy(m.Products, r.compiled.mesh.Products)
	if others != nil {
		for name := range r.Others {
			if d := others.Domains[name]; d != nil {
				m.Domains[name] = d
			}
		}
		for id, p := range others.Products {
			if r.Others[p.Domain] {
				m.Products[id] = p
			}
		}
	}
	// Domains that could not be read are unknown, not empty: their
	// consumers' references to them are not errors of this run.
	failed := maps.Clone(r.Failed)
	for name := range r.Unreadable {
		failed[name] = true
	}
	ds := slices.Clone(r.compiled.diagnostics)
	teams := map[string]string{}
	if r.Config != nil {
		for name, d := range r.Config.Domains {
			if d.Team != "" {
				teams[name] = d.Team
			}
		}
	}
	ds = append(ds, check.Run(&check.Mesh{Mesh: m, Invalid: r.Invalid, Failed: failed, Live: r.live, Teams: teams, Known: r.known, Context: r.context})...)
	ds.Sort()
	r.Mesh, r.Diagnostics = m, ds.Compact()
}

// WithOthers returns the mesh again with the domains Load took from
// Options.Others taken from others instead (the live catalog as another
// apply just left it), checked anew. r is not changed; a Result loaded
// without Options.Others is returned as it is.
func (r *Result) WithOthers(others *catalog.Mesh) *Result {
	if r.compiled.mesh == nil || len(r.Others) == 0 {
		return r
	}
	out := *r
	out.assemble(others)
	return &out
}

// WithPart returns the mesh again with the domains Load took from
// Options.Others taken from part, part of the live catalog (its domains
// and the products a check of the compiled domains needs), which is also
// the live catalog the mesh rules consult; known is every product id of
// the whole live catalog and of this mesh, and context names the
// products of part there only as what others read, which the rules do
// not follow (see check.Mesh). It is WithOthers for a check of one
// domain against the few products it touches.
func (r *Result) WithPart(part *catalog.Mesh, known []string, context map[string]bool) *Result {
	if r.compiled.mesh == nil || len(r.Others) == 0 {
		return r
	}
	out := *r
	out.live, out.known, out.context = part.Products, known, context
	out.assemble(part)
	return &out
}

// Compiled returns the products Load compiled itself (not those taken
// from Options.Others).
func (r *Result) Compiled() map[string]*catalog.Product {
	if r.compiled.mesh == nil {
		return nil
	}
	return r.compiled.mesh.Products
}

// localDomains opens the directories that replace some domains' sources.
// Paths are relative to the working directory, as a user types them.
func localDomains(cfg *config.Config, local map[string]string) (map[string]*source.Domain, error) {
	out := map[string]*source.Domain{}
	for name, dir := range local {
		d, ok := cfg.Domains[name]
		if !ok {
			return nil, fmt.Errorf("--domain %s=%s: mesh.cue has no domain %s (it has %s)", name, dir, name, strings.Join(cfg.DomainNames(), ", "))
		}
		abs, err := filepath.Abs(dir)
		if err != nil {
			return nil, err
		}
		sd, err := source.Dir{Config: cfg}.Fetch(context.Background(), &config.Domain{Name: name, Path: abs, Pos: d.Pos})
		if err != nil {
			return nil, fmt.Errorf("--domain %s=%s: %w", name, dir, err)
		}
		// Name files as the checkout does, so annotations land on them.
		if rel, err := filepath.Rel(".", dir); err == nil && filepath.IsLocal(rel) {
			sd.Dir = filepath.ToSlash(rel)
		} else {
			sd.Dir = filepath.ToSlash(dir)
		}
		// Its identity is mesh.cue's, whichever checkout it comes from;
		// its revision is the checkout's commit, else a digest of its files.
		id := source.Identity(cfg, d)
		id.Commit, id.Digest = source.HeadCommit(abs), sd.Source.Digest
		sd.Source = id
		out[name] = sd
	}
	return out, nil
}
