package render

import (
	"encoding/json"
	"io"

	"github.com/meshc-dev/meshc/pkg/catalog"
	"github.com/meshc-dev/meshc/pkg/plan"
	"github.com/meshc-dev/meshc/pkg/result"
	"github.com/meshc-dev/meshc/pkg/state"
)

// jsonFormat is for machines: every result in the design's JSON shapes.
type jsonFormat struct{}

func init() { register(jsonFormat{}, 40) }

func (jsonFormat) Name() string { return "json" }

// JSON writes v as indented JSON, without HTML escaping.
func JSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// view is p as readers get it: the desired catalog is what a saved plan
// carries for apply, not what they want.
func view(p *plan.Plan) *plan.Plan {
	if p == nil {
		return nil
	}
	v := *p
	v.Desired = nil
	return &v
}

func (jsonFormat) Validation(w io.Writer, v *result.Validation, _ Options) error { return JSON(w, v) }

func (jsonFormat) Plan(w io.Writer, p *plan.Plan, _ Options) error { return JSON(w, view(p)) }

func (jsonFormat) Apply(w io.Writer, a *result.Apply, _ Options) error {
	out := *a
	out.Plan = view(a.Plan)
	return JSON(w, &out)
}

// Reconcile writes the cycle's plan, its changes labelled with their drift.
func (jsonFormat) Reconcile(w io.Writer, r *result.Reconcile, _ Options) error {
	return JSON(w, view(r.Plan))
}

func (jsonFormat) Catalog(w io.Writer, c *state.Catalog, _ Options) error { return JSON(w, c) }

func (jsonFormat) History(w io.Writer, entries []state.Entry, _ Options) error {
	if entries == nil {
		entries = []state.Entry{}
	}
	return JSON(w, entries)
}

func (jsonFormat) Graph(w io.Writer, m *catalog.Mesh, _ Options) error { return JSON(w, LineageOf(m)) }
