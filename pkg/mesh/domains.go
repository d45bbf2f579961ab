package mesh

import (
	"context"

	"github.com/meshc-dev/meshc/pkg/catalog"
	"github.com/meshc-dev/meshc/pkg/compile"
	"github.com/meshc-dev/meshc/pkg/config"
	"github.com/meshc-dev/meshc/pkg/source"
)

// LoadDomains compiles the given domains against cfg's schema and
// policies and checks the mesh they make with others: the domains named
// in othersNames taken from others as they are, not compiled (a saved
// plan's domains it left as they are live). It is how a saved plan's
// desired catalog is checked again; Load is how a mesh is read from its
// sources.
func LoadDomains(ctx context.Context, cfg *config.Config, domains []*source.Domain, others *catalog.Mesh, othersNames []string, o compile.Options) (*Result, error) {
	sch, ds, err := compile.LoadSchema(cfg)
	if err != nil {
		return nil, err
	}
	if ds.HasErrors() {
		return &Result{Config: cfg, Mesh: catalog.NewMesh(), Diagnostics: ds}, nil
	}
	res := &Result{Config: cfg, Others: map[string]bool{}, Unreadable: map[string]error{}, Rules: sch.Rules()}
	for _, n := range othersNames {
		res.Others[n] = true
	}
	cr := compile.Compile(ctx, sch, domains, o)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	res.Invalid, res.Failed = cr.Invalid, cr.Failed
	res.compiled = compiled{mesh: cr.Mesh, diagnostics: append(ds, cr.Diagnostics...)}
	res.assemble(others)
	return res, nil
}
