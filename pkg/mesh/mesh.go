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
}

// Options tunes Load.
type Options struct {
	Compile compile.Options
	// Source says where git sources are cached and how they authenticate.
	Source source.Options
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
		return &Result{Config: cfg, Mesh: catalog.NewMesh(), Diagnostics: ds}, nil
	}
	local, err := localDomains(cfg, o.Local)
	if err != nil {
		return nil, err
	}
	res := &Result{Config: cfg, Others: map[string]bool{}, Unreadable: map[string]error{}}
	var names []string
	for _, name := range cfg.DomainNames() {
		switch {
		case local[name] != nil:
		case o.Others != nil:
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
	cr := compile.Compile(ctx, sch, domains, o.Compile)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	res.Mesh, res.Invalid, res.Failed = cr.Mesh, cr.Invalid, cr.Failed
	if o.Others != nil {
		for name := range res.Others {
			if d := o.Others.Domains[name]; d != nil {
				res.Mesh.Domains[name] = d
			}
		}
		for id, p := range o.Others.Products {
			if res.Others[p.Domain] {
				res.Mesh.Products[id] = p
			}
		}
	}
	// Domains that could not be read are unknown, not empty: their
	// consumers' references to them are not errors of this run.
	failed := maps.Clone(cr.Failed)
	for name := range res.Unreadable {
		failed[name] = true
	}
	ds = append(ds, cr.Diagnostics...)
	ds = append(ds, check.Run(&check.Mesh{Mesh: res.Mesh, Invalid: cr.Invalid, Failed: failed})...)
	ds.Sort()
	res.Diagnostics = ds.Compact()
	return res, nil
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
