package plan

import (
	"encoding/json"

	"github.com/meshc-dev/meshc/pkg/catalog"
	"github.com/meshc-dev/meshc/pkg/diag"
)

// FormatVersion is the version of the plan's JSON form.
const FormatVersion = "1"

// Actions a plan takes on a product.
const (
	Create = "create"
	Update = "update"
	Delete = "delete"
	NoOp   = "no-op"
)

// Plan is the difference between the desired mesh and the live catalog.
type Plan struct {
	FormatVersion string                  `json:"format_version"`
	LiveSerial    int64                   `json:"live_serial"`
	Lineage       string                  `json:"lineage,omitempty"`
	Sources       map[string]Source       `json:"sources"`
	Summary       Summary                 `json:"summary"`
	Changes       []*Change               `json:"changes"`
	Diagnostics   diag.Diagnostics        `json:"diagnostics"`
	Desired       *Desired                `json:"desired,omitempty"`
	Skipped       map[string]catalog.Keep `json:"skipped,omitempty"` // domain -> why it was left as it is
	// Moved names the domains read at another revision than the one the
	// live catalog records, whatever their products' changes: applying
	// records the new revision even when no product changes.
	Moved []string `json:"moved,omitempty"`
	// Mesh and Checksum seal a saved plan (see Seal): the mesh it was
	// made for and a checksum of the rest.
	Mesh     *MeshID `json:"mesh,omitempty"`
	Checksum string  `json:"checksum,omitempty"`
	// Scores are the scorecards of the products the plan changes, after
	// it and before it (set by the caller when the platform defines a
	// scorecard); apply records them in the history.
	Scores []Score `json:"scores,omitempty"`

	// part is true for a plan made against part of the live catalog
	// (state.Store.ReadPart): its desired catalog is only that part, so
	// it is never saved, and it applies only to such a part.
	part bool
}

// Part reports whether p was made against part of the live catalog; such
// a plan is applied only to a part read under the lock (apply plans it
// again against one), and never saved.
func (p *Plan) Part() bool { return p.part }

// Score is one changed product's scorecard score, after the plan and
// before it (nil for a new product).
type Score struct {
	Product  string   `json:"product"`
	Score    float64  `json:"score"`
	Level    string   `json:"level,omitempty"`
	Previous *float64 `json:"previous,omitempty"`
	// Failed names the checks the product fails after the plan.
	Failed []string `json:"failed,omitempty"`
}

// Source is where a domain of the plan was read from.
type Source struct {
	Path   string `json:"path,omitempty"`
	Git    string `json:"git,omitempty"`
	Ref    string `json:"ref,omitempty"`
	Commit string `json:"commit,omitempty"`
	Digest string `json:"digest,omitempty"`
}

// Desired is the catalog the plan makes live: what a saved plan applies.
type Desired struct {
	Domains  map[string]*catalog.Domain  `json:"domains"`
	Products map[string]*catalog.Product `json:"products"`
}

// Summary counts the plan's changes: products created, updated and
// deleted, and breaking changes (one product may have several; see
// Plan.BreakingProducts).
type Summary struct {
	Create   int `json:"create"`
	Update   int `json:"update"`
	Delete   int `json:"delete"`
	Breaking int `json:"breaking"`
}

// BreakingProducts counts the products with breaking changes.
func (p *Plan) BreakingProducts() int {
	n := 0
	for _, c := range p.Changes {
		if len(c.Breaking) > 0 {
			n++
		}
	}
	return n
}

// Change is what happens to one product.
type Change struct {
	Product  string          `json:"product"`
	Domain   string          `json:"domain"`
	Action   string          `json:"action"`
	Drift    string          `json:"drift,omitempty"` // set by reconcile: see Options.Drift
	Before   *VersionStatus  `json:"before,omitempty"`
	After    *VersionStatus  `json:"after,omitempty"`
	Source   *catalog.Source `json:"source,omitempty"` // where the product is declared
	Fields   []FieldChange   `json:"fields,omitempty"`
	Breaking []Breaking      `json:"breaking,omitempty"`
	// Notices are changes consumers are told of though nothing breaks
	// (a raised classification: their obligations grow).
	Notices  []Breaking `json:"notices,omitempty"`
	Impacted []Impact   `json:"impacted,omitempty"`
}

// VersionStatus is a product's version and lifecycle status on one side.
type VersionStatus struct {
	Version string `json:"version"`
	Status  string `json:"status"`
}

// FieldChange is one changed path of a product, from its top:
// "outputPorts.events.schema.amount.type".
type FieldChange struct {
	Path   string `json:"path"`
	Before any    `json:"before,omitempty"`
	After  any    `json:"after,omitempty"`
	// Diff shows what changed inside a long text, word by word:
	// "[-removed-]{+added+}".
	Diff string `json:"diff,omitempty"`
}

// Breaking is one change that weakens a promise to consumers.
type Breaking struct {
	Rule    string `json:"rule"`
	Path    string `json:"path"`
	Message string `json:"message"`
}

// Impact is a product that consumes a changed product, and its team.
type Impact struct {
	Product string `json:"product"`
	Team    string `json:"team,omitempty"`
	// Port is the changed product's output port it depends on; empty when
	// it depends on it only through other products (Via).
	Port string `json:"port,omitempty"`
	Via  string `json:"via,omitempty"`
	// Observed is set for a consumer seen reading Port in observed usage
	// (meshc usage) that declares no input port on it; Product is then a
	// product id or "job:NAMESPACE/NAME", and LastSeen its last day.
	Observed bool   `json:"observed,omitempty"`
	LastSeen string `json:"last_seen,omitempty"`
}

// HasChanges reports whether applying p would change the live catalog.
func (p *Plan) HasChanges() bool {
	s := p.Summary
	return s.Create+s.Update+s.Delete > 0
}

// Recordable reports whether applying p would change the live catalog's
// document: a product, or only the revisions it was read from.
func (p *Plan) Recordable() bool { return p.HasChanges() || len(p.Moved) > 0 }

// Pending returns the changes that are not no-ops.
func (p *Plan) Pending() []*Change {
	var out []*Change
	for _, c := range p.Changes {
		if c.Action != NoOp {
			out = append(out, c)
		}
	}
	return out
}

// MarshalJSON writes p with empty lists and maps as [] and {}, never null:
// the JSON form is a contract and its readers should not need nil checks.
func (p *Plan) MarshalJSON() ([]byte, error) {
	type plain Plan // without this method
	v := plain(*p)
	if v.Sources == nil {
		v.Sources = map[string]Source{}
	}
	if v.Changes == nil {
		v.Changes = []*Change{}
	}
	if v.Diagnostics == nil {
		v.Diagnostics = diag.Diagnostics{}
	}
	return json.Marshal(v)
}
