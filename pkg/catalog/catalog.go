package catalog

import (
	"cmp"
	"maps"
	"slices"
	"strings"

	"github.com/meshc-dev/meshc/pkg/diag"
)

// The product lifecycle, in order.
const (
	StatusProposed   = "proposed"
	StatusDraft      = "draft"
	StatusActive     = "active"
	StatusDeprecated = "deprecated"
	StatusRetired    = "retired"
)

// Port visibilities.
const (
	VisibilityPublic     = "public"
	VisibilityDomain     = "domain"
	VisibilityRestricted = "restricted"
)

// Mesh is every domain and product of a mesh, as declared.
type Mesh struct {
	Domains  map[string]*Domain  `json:"domains"`
	Products map[string]*Product `json:"products"`
}

// NewMesh returns an empty mesh.
func NewMesh() *Mesh {
	return &Mesh{Domains: map[string]*Domain{}, Products: map[string]*Product{}}
}

// Add adds d and its products to m.
func (m *Mesh) Add(d *Domain, products []*Product) {
	m.Domains[d.Name] = d
	for _, p := range products {
		m.Products[p.ID] = p
	}
}

// ProductIDs returns the ids of m's products, sorted.
func (m *Mesh) ProductIDs() []string { return slices.Sorted(maps.Keys(m.Products)) }

// DomainNames returns the names of m's domains, sorted.
func (m *Mesh) DomainNames() []string { return slices.Sorted(maps.Keys(m.Domains)) }

// Locate returns where path (dot-separated, from the top of the domain's
// CUE, e.g. "products.orders.outputPorts.events") is declared in domain's
// files, or the closest declared ancestor.
func (m *Mesh) Locate(domain, path string) diag.Pos {
	d := m.Domains[domain]
	if d == nil || d.Locate == nil {
		return diag.Pos{}
	}
	return d.Locate(path)
}

// Domain is a business domain: its owner and where its CUE came from.
type Domain struct {
	Name        string `json:"name"`
	Title       string `json:"title"`
	Description string `json:"description"`
	Team        Team   `json:"team"`
	Source      Source `json:"source"`

	// Locate finds the declaration of a path in the domain's files; see
	// Mesh.Locate. It is nil for domains not compiled in this run.
	Locate func(path string) diag.Pos `json:"-"`
}

// Source records where a domain's definition was read from.
type Source struct {
	Path   string `json:"path,omitempty"`   // directory, relative to the mesh root or the repo
	Git    string `json:"git,omitempty"`    // repository URL
	Ref    string `json:"ref,omitempty"`    // branch, tag or commit asked for
	Commit string `json:"commit,omitempty"` // commit SHA read
	// Digest identifies the content read when there is no commit (a local
	// directory): sha256 over its .cue files' names and bytes.
	Digest string `json:"digest,omitempty"`
}

// Revision is what identifies the content read: the commit, else the
// digest.
func (s Source) Revision() string {
	if s.Commit != "" {
		return s.Commit
	}
	return s.Digest
}

// Team is who owns a domain and answers for its products.
type Team struct {
	Name   string `json:"name"`
	GitHub string `json:"github"`
	Email  string `json:"email,omitempty"`
}

// Product is one data product.
type Product struct {
	ID             string                `json:"id"`
	Name           string                `json:"name"`
	Domain         string                `json:"domain"`
	Title          string                `json:"title"`
	Description    string                `json:"description"`
	Version        string                `json:"version"`
	Status         string                `json:"status"`
	Classification string                `json:"classification"`
	Tags           []string              `json:"tags,omitempty"`
	SLO            *SLO                  `json:"slo,omitempty"`
	Deprecation    *Deprecation          `json:"deprecation,omitempty"`
	InputPorts     map[string]InputPort  `json:"inputPorts,omitempty"`
	OutputPorts    map[string]OutputPort `json:"outputPorts"`
	// Jobs are the OpenLineage jobs that read for the product.
	Jobs []LineageID `json:"jobs,omitempty"`
	// Source is where the product's declaration was read: its domain's
	// repository, path and commit (provenance, not part of the product).
	Source *Source `json:"source,omitempty"`
}

// Path returns the CUE path of p's declaration inside its domain, extended
// by elems: Path("outputPorts", "events") is
// "products.<name>.outputPorts.events".
func (p *Product) Path(elems ...string) string {
	return strings.Join(append([]string{"products", p.Name}, elems...), ".")
}

// InputPort is a product's dependency on another product's output port.
type InputPort struct {
	Product     string `json:"product"`
	Port        string `json:"port"`
	Description string `json:"description,omitempty"`
}

// OutputPort is a product's published interface: a promise to consumers.
type OutputPort struct {
	Description string           `json:"description"`
	Type        string           `json:"type"`
	Location    string           `json:"location"`
	Format      string           `json:"format,omitempty"`
	Access      Access           `json:"access"`
	Schema      map[string]Field `json:"schema"`
	// Lineage names the datasets the port publishes as OpenLineage
	// identities; empty means the one derived from Location (see
	// Datasets).
	Lineage []LineageID `json:"lineage,omitempty"`
}

// Field is one field of a port's schema; its logical type follows the Open
// Data Contract Standard.
type Field struct {
	Type           string           `json:"type"`
	Description    string           `json:"description"`
	Required       bool             `json:"required,omitempty"`
	Unique         bool             `json:"unique,omitempty"`
	PrimaryKey     bool             `json:"primaryKey,omitempty"`
	PII            bool             `json:"pii,omitempty"`
	Classification string           `json:"classification,omitempty"`
	RenamedFrom    string           `json:"renamedFrom,omitempty"`
	Fields         map[string]Field `json:"fields,omitempty"`
	Items          *Field           `json:"items,omitempty"`
}

// Access says who may consume a port.
type Access struct {
	Visibility string   `json:"visibility"`
	Allow      []string `json:"allow,omitempty"`
}

// Allows reports whether a product of domain consumer may read a port of
// domain owner with this access.
func (a Access) Allows(owner, consumer string) bool {
	switch a.Visibility {
	case VisibilityPublic:
		return true
	case VisibilityDomain:
		return owner == consumer
	case VisibilityRestricted:
		return owner == consumer || slices.Contains(a.Allow, consumer)
	}
	return false
}

// SLO is what a product promises about timeliness and availability.
type SLO struct {
	Freshness    string   `json:"freshness,omitempty"`
	Availability *float64 `json:"availability,omitempty"`
	Latency      string   `json:"latency,omitempty"`
	Retention    string   `json:"retention,omitempty"`
}

// Deprecation says when a product goes away and what replaces it.
type Deprecation struct {
	Sunset     string `json:"sunset"`
	Reason     string `json:"reason"`
	ReplacedBy string `json:"replacedBy,omitempty"`
}

// SortedKeys returns m's keys in order; it keeps loops over ports and fields
// deterministic.
func SortedKeys[V any](m map[string]V) []string {
	return slices.SortedFunc(maps.Keys(m), cmp.Compare[string])
}
