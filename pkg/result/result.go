package result

import (
	"github.com/meshc-dev/meshc/pkg/diag"
	"github.com/meshc-dev/meshc/pkg/plan"
)

// Validation is the outcome of `meshc validate`.
type Validation struct {
	Valid       bool             `json:"valid"`
	Summary     Summary          `json:"summary"`
	Diagnostics diag.Diagnostics `json:"diagnostics"`
}

// Summary counts what a run looked at and found.
type Summary struct {
	Domains  int `json:"domains"`
	Products int `json:"products"`
	Errors   int `json:"errors"`
	Warnings int `json:"warnings"`
}

// NewValidation summarises a run over domains and products: every one
// declared, those that failed included.
func NewValidation(domains, products int, ds diag.Diagnostics) *Validation {
	if ds == nil {
		ds = diag.Diagnostics{}
	}
	return &Validation{
		Valid:       !ds.HasErrors(),
		Summary:     Summary{Domains: domains, Products: products, Errors: ds.Count(diag.Error), Warnings: ds.Count(diag.Warning)},
		Diagnostics: ds,
	}
}

// Apply is the outcome of `meshc apply`.
type Apply struct {
	// Applied is true when the live catalog was written.
	Applied bool `json:"applied"`
	// Serial is the live catalog's serial after the run.
	Serial int64 `json:"serial,omitempty"`
	// Plan is what was applied (or refused), without its desired catalog.
	Plan *plan.Plan `json:"plan,omitempty"`
	// Diagnostics are why the apply was refused (e.g. stale-plan), when
	// they are not the plan's own.
	Diagnostics diag.Diagnostics `json:"diagnostics,omitempty"`
	// Replanned is true when another apply wrote first and the change was
	// planned again against the live catalog it left (at serial From);
	// Plan is then the new plan.
	Replanned bool  `json:"replanned,omitempty"`
	From      int64 `json:"replanned_from,omitempty"`
}

// Reconcile is the outcome of one `meshc reconcile` cycle.
type Reconcile struct {
	// Plan labels each pending change with its drift.
	Plan *plan.Plan `json:"plan"`
	// Applied is true when the drift was repaired.
	Applied bool `json:"applied"`
	// Serial is the live catalog's serial after a repair.
	Serial int64 `json:"serial,omitempty"`
	// Unreadable names the domains skipped because their source could not
	// be read, sorted.
	Unreadable []string `json:"unreadable,omitempty"`
	// Failed names the domains skipped because their CUE could not be
	// evaluated, sorted: their products are left as they are too.
	Failed []string `json:"failed,omitempty"`
}
