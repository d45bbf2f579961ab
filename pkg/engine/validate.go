package engine

import (
	"context"

	"github.com/meshc-dev/meshc/pkg/catalog"
	"github.com/meshc-dev/meshc/pkg/diag"
	"github.com/meshc-dev/meshc/pkg/result"
)

// Validate loads, evaluates and checks the mesh.
func (e *Engine) Validate(ctx context.Context) (*result.Validation, error) {
	l, err := e.load(ctx, false, false)
	if err != nil {
		return nil, err
	}
	m := l.res.Mesh
	return result.NewValidation(len(m.Domains), len(m.Products), e.waive(ctx, l, l.res.Diagnostics)), nil
}

// Mesh returns the mesh to draw or export: the products of the mesh's sources that
// are valid, with the diagnostics of loading it (waived), or, with live,
// the live catalog's.
func (e *Engine) Mesh(ctx context.Context, live bool) (*catalog.Mesh, diag.Diagnostics, error) {
	if live {
		lc, err := e.store.Read(ctx)
		if err != nil {
			return nil, nil, err
		}
		return lc.Mesh(), nil, nil
	}
	l, err := e.load(ctx, false, false)
	if err != nil {
		return nil, nil, err
	}
	return l.res.Mesh, e.waive(ctx, l, l.res.Diagnostics), nil
}
