package state

import (
	"crypto/rand"
	"encoding/hex"
	"time"

	"github.com/meshc-dev/meshc/pkg/catalog"
)

// FormatVersion is the catalog document format this meshc reads and writes.
const FormatVersion = "1"

// Catalog is the live catalog document.
type Catalog struct {
	FormatVersion string                      `json:"format_version"` // FormatVersion
	Lineage       string                      `json:"lineage"`        // random id fixed at first write
	Serial        int64                       `json:"serial"`         // +1 on every write
	Domains       map[string]*catalog.Domain  `json:"domains"`
	Products      map[string]*catalog.Product `json:"products"`
	Meta          map[string]ProductMeta      `json:"meta,omitempty"` // by product id
	History       []Entry                     `json:"history"`        // applied plans, oldest first

	part  *Index          // the whole catalog's index when this is a part of it (Part)
	stubs map[string]bool // the products of a part that are stubs (AddStub)
}

// ProductMeta is what the catalog remembers about a product beyond its declaration.
type ProductMeta struct {
	CreatedSerial int64  `json:"created_serial"`
	UpdatedSerial int64  `json:"updated_serial"`
	DeprecatedOn  string `json:"deprecated_on,omitempty"` // YYYY-MM-DD the product was first applied as deprecated
}

// Entry records one applied plan.
type Entry struct {
	Serial  int64                     `json:"serial"`
	Time    time.Time                 `json:"time"` // written in UTC
	User    string                    `json:"user"`
	Sources map[string]catalog.Source `json:"sources,omitempty"` // by domain
	Summary Summary                   `json:"summary"`
	// Action is what wrote the catalog when it was no applied plan:
	// "push" (a restored document), "migrate" (moved from another backend).
	Action string `json:"action,omitempty"`
	// Note says more about it, e.g. "from file .meshc/catalog.json".
	Note string `json:"note,omitempty"`
	// Changes lists each product the plan changed; entries written before
	// meshc recorded them have none.
	Changes []ProductChange `json:"changes,omitempty"`
	// Scores are the scorecard scores of the products the plan changed,
	// by product, when the platform defines a scorecard: their trend.
	Scores map[string]float64 `json:"scores,omitempty"`
}

// ProductChange is what one applied plan did to one product.
type ProductChange struct {
	Product  string `json:"product"`
	Action   string `json:"action"` // create, update or delete
	Version  string `json:"version,omitempty"`
	Breaking bool   `json:"breaking,omitempty"`
}

// Summary counts the changes of one applied plan.
type Summary struct {
	Create   int `json:"create"`
	Update   int `json:"update"`
	Delete   int `json:"delete"`
	Breaking int `json:"breaking"`
}

// New returns an empty catalog: serial 0, no lineage yet.
func New() *Catalog {
	c := &Catalog{FormatVersion: FormatVersion}
	c.normalize()
	return c
}

// Mesh returns the catalog's domains and products as a mesh; it shares
// their maps with c.
func (c *Catalog) Mesh() *catalog.Mesh {
	return &catalog.Mesh{Domains: c.Domains, Products: c.Products}
}

// normalize replaces nil collections by empty ones, so callers can add to
// them and the file always spells them the same way ({} and [], not null).
func (c *Catalog) normalize() {
	if c.Domains == nil {
		c.Domains = map[string]*catalog.Domain{}
	}
	if c.Products == nil {
		c.Products = map[string]*catalog.Product{}
	}
	if c.Meta == nil {
		c.Meta = map[string]ProductMeta{}
	}
	if c.History == nil {
		c.History = []Entry{}
	}
}

// newLineage returns a fresh random lineage id: 16 random bytes in hex.
func newLineage() string {
	var b [16]byte
	rand.Read(b[:]) // never fails (crypto/rand since Go 1.24)
	return hex.EncodeToString(b[:])
}
