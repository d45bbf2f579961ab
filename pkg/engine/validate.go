package engine

import (
	"context"

	"github.com/meshc-dev/meshc/pkg/catalog"
	"github.com/meshc-dev/meshc/pkg/diag"
	"github.com/meshc-dev/meshc/pkg/result"
)

// Validate loads, evaluates and checks the mesh.
func (e *Engine) Validate(ctx context.Context) (*result.Validation, error) {
	l, err := e.load(ctx, false, false, nil)
	if err != nil {
		return nil, err
	}
	// Every declared domain and product counts, also those that failed:
	// a summary of 11 products for 12 declared hides one.
	products := len(l.res.Mesh.Products)
	if l.live != nil && l.live.Part() != nil {
		// The others are as many as the whole live catalog has.
		products = len(l.res.Compiled())
		for _, e := range l.live.Part().Products {
			if l.res.Others[e.Domain] {
				products++
			}
		}
	}
	for id := range l.res.Invalid {
		if l.res.Mesh.Products[id] == nil {
			products++
		}
	}
	return result.NewValidation(len(e.cfg.Domains), products, e.waive(ctx, l, l.res.Diagnostics)), nil
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
	l, err := e.load(ctx, false, false, nil)
	if err != nil {
		return nil, nil, err
	}
	return l.res.Mesh, e.waive(ctx, l, l.res.Diagnostics), nil
}
