package render

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/meshc-dev/meshc/pkg/catalog"
	"github.com/meshc-dev/meshc/pkg/plan"
	"github.com/meshc-dev/meshc/pkg/result"
	"github.com/meshc-dev/meshc/pkg/state"
)

// Format is one output format, registered by its own file. It renders each
// kind of result for which it implements the kind's interface below; a
// command offers as --format exactly the formats that render its kind.
type Format interface {
	Name() string
}

// Options is what a format may take from the caller.
type Options struct {
	// Color allows ANSI colours (text on a terminal only).
	Color bool
	// Title is a report's heading, e.g. "meshc plan for acme".
	Title string
}

// The kinds of result, one interface each.
type (
	// ValidationFormat renders the outcome of validate.
	ValidationFormat interface {
		Validation(w io.Writer, v *result.Validation, o Options) error
	}
	// PlanFormat renders a plan.
	PlanFormat interface {
		Plan(w io.Writer, p *plan.Plan, o Options) error
	}
	// ApplyFormat renders the outcome of apply.
	ApplyFormat interface {
		Apply(w io.Writer, a *result.Apply, o Options) error
	}
	// ReconcileFormat renders one reconcile cycle.
	ReconcileFormat interface {
		Reconcile(w io.Writer, r *result.Reconcile, o Options) error
	}
	// CatalogFormat renders the live catalog.
	CatalogFormat interface {
		Catalog(w io.Writer, c *state.Catalog, o Options) error
	}
	// HistoryFormat renders the applied plans, newest first.
	HistoryFormat interface {
		History(w io.Writer, entries []state.Entry, o Options) error
	}
	// GraphFormat renders a mesh's lineage.
	GraphFormat interface {
		Graph(w io.Writer, m *catalog.Mesh, o Options) error
	}
	// UsageFormat renders declared against observed usage.
	UsageFormat interface {
		Usage(w io.Writer, u *result.Usage, o Options) error
	}
	// ScoreFormat renders scorecards.
	ScoreFormat interface {
		Scores(w io.Writer, s *result.Scores, o Options) error
	}
)

// Kind names a kind of result, as commands ask for it.
type Kind string

// The kinds.
const (
	KindValidation Kind = "validation"
	KindPlan       Kind = "plan"
	KindApply      Kind = "apply"
	KindReconcile  Kind = "reconcile"
	KindCatalog    Kind = "catalog"
	KindHistory    Kind = "history"
	KindGraph      Kind = "graph"
	KindUsage      Kind = "usage"
	KindScore      Kind = "score"
)

// renders reports whether f renders kind.
func renders(f Format, kind Kind) bool {
	switch kind {
	case KindValidation:
		_, ok := f.(ValidationFormat)
		return ok
	case KindPlan:
		_, ok := f.(PlanFormat)
		return ok
	case KindApply:
		_, ok := f.(ApplyFormat)
		return ok
	case KindReconcile:
		_, ok := f.(ReconcileFormat)
		return ok
	case KindCatalog:
		_, ok := f.(CatalogFormat)
		return ok
	case KindHistory:
		_, ok := f.(HistoryFormat)
		return ok
	case KindGraph:
		_, ok := f.(GraphFormat)
		return ok
	case KindUsage:
		_, ok := f.(UsageFormat)
		return ok
	case KindScore:
		_, ok := f.(ScoreFormat)
		return ok
	}
	return false
}

type registered struct {
	f    Format
	rank int
}

var registry []registered

// register adds f; rank orders the formats in help and errors.
func register(f Format, rank int) {
	for _, r := range registry {
		if r.f.Name() == f.Name() {
			panic("render: format " + f.Name() + " registered twice")
		}
	}
	registry = append(registry, registered{f, rank})
	slices.SortStableFunc(registry, func(a, b registered) int { return a.rank - b.rank })
}

// Names returns the formats that render kind, def first, then in the
// registry's order.
func Names(kind Kind, def string) []string {
	names := []string{}
	for _, r := range registry {
		if renders(r.f, kind) && r.f.Name() != def {
			names = append(names, r.f.Name())
		}
	}
	for _, r := range registry {
		if r.f.Name() == def && renders(r.f, kind) {
			names = append([]string{def}, names...)
		}
	}
	return names
}

// Lookup returns the format named name that renders kind; else an error
// listing the ones that do.
func Lookup(kind Kind, name string) (Format, error) {
	for _, r := range registry {
		if r.f.Name() == name && renders(r.f, kind) {
			return r.f, nil
		}
	}
	return nil, fmt.Errorf("unknown --format %q: use %s", name, strings.Join(Names(kind, ""), "|"))
}
