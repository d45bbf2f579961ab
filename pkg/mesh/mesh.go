package mesh

import (
	"context"

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
}

// Options tunes Load.
type Options struct {
	Compile compile.Options
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
	domains, err := source.Fetch(ctx, cfg)
	if err != nil {
		return nil, err
	}
	cr := compile.Compile(ctx, sch, domains, o.Compile)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ds = append(ds, cr.Diagnostics...)
	ds = append(ds, check.Run(&check.Mesh{Mesh: cr.Mesh, Invalid: cr.Invalid, Failed: cr.Failed})...)
	ds.Sort()
	return &Result{Config: cfg, Mesh: cr.Mesh, Diagnostics: ds.Compact(), Invalid: cr.Invalid, Failed: cr.Failed}, nil
}
