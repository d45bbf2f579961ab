package state

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"

	"github.com/meshc-dev/meshc/pkg/catalog"
)

// Index is what a check of one domain must know of every product of the
// live catalog to choose the few it reads: what each product reads and
// names, and which locations and OpenLineage datasets it claims. It is
// small (a few hundred bytes a product) next to the products themselves.
type Index struct {
	Serial   int64
	Lineage  string
	Products map[string]IndexEntry // by product id
}

// IndexEntry is one product of an Index.
type IndexEntry struct {
	Domain string `json:"domain"`
	// Reads are the products its input ports read: sorted, each once.
	Reads []string `json:"reads,omitempty"`
	// Replacement is the product its deprecation names to move to.
	Replacement string `json:"replacement,omitempty"`
	// Locations are its output ports' locations, sorted, each once.
	Locations []string `json:"locations,omitempty"`
	// Datasets are the OpenLineage datasets its output ports publish
	// (catalog.OutputPort.Datasets), sorted, each once.
	Datasets []catalog.LineageID `json:"datasets,omitempty"`
}

// IndexEntryOf returns p's entry in an Index.
func IndexEntryOf(p *catalog.Product) IndexEntry {
	e := IndexEntry{Domain: p.Domain}
	for _, in := range p.InputPorts {
		e.Reads = append(e.Reads, in.Product)
	}
	if p.Deprecation != nil {
		e.Replacement = p.Deprecation.ReplacedBy
	}
	for _, port := range p.OutputPorts {
		e.Locations = append(e.Locations, port.Location)
		e.Datasets = append(e.Datasets, port.Datasets()...)
	}
	e.Reads = sortedSet(e.Reads, cmp.Compare)
	e.Locations = sortedSet(e.Locations, cmp.Compare)
	e.Datasets = sortedSet(e.Datasets, func(a, b catalog.LineageID) int {
		return cmp.Or(cmp.Compare(a.Namespace, b.Namespace), cmp.Compare(a.Name, b.Name))
	})
	return e
}

// Equal reports whether e and f are the same entry.
func (e IndexEntry) Equal(f IndexEntry) bool {
	return e.Domain == f.Domain && e.Replacement == f.Replacement && slices.Equal(e.Reads, f.Reads) &&
		slices.Equal(e.Locations, f.Locations) && slices.Equal(e.Datasets, f.Datasets)
}

func sortedSet[T any](s []T, compare func(a, b T) int) []T {
	if len(s) == 0 {
		return nil
	}
	slices.SortFunc(s, compare)
	return slices.CompactFunc(s, func(a, b T) bool { return compare(a, b) == 0 })
}

// IndexOf returns the index of c.
func IndexOf(c *Catalog) *Index {
	idx := &Index{Serial: c.Serial, Lineage: c.Lineage, Products: make(map[string]IndexEntry, len(c.Products))}
	for id, p := range c.Products {
		idx.Products[id] = IndexEntryOf(p)
	}
	return idx
}

// IndexPath is where a document backend keeps the index of the catalog
// document at path, beside it: catalog.json's is catalog.index.json. It
// is a cache meshc writes with every catalog; a missing, stale or broken
// one is ignored.
func IndexPath(path string) string {
	return strings.TrimSuffix(path, ".json") + ".index.json"
}

// Choose names, from the index of the whole live catalog, the products a
// read of part of it needs.
type Choose func(*Index) []string

// PartReader is a Backend that can read part of its catalog without
// decoding all of it: the file and git backends through an index written
// beside the document, postgres through its rows.
type PartReader interface {
	// ReadPart reads the stored catalog's index, calls choose with it
	// and returns, as of that same stored catalog, the catalog with only
	// the products choose named (and their meta), every domain, and no
	// history; nil if there is no catalog yet. ok is false, with no
	// error, when the backend has no index it can trust for the stored
	// catalog (one written by an older meshc, or edited by hand): the
	// Store then reads it whole.
	ReadPart(ctx context.Context, choose Choose) (c *Catalog, idx *Index, ok bool, err error)
}

// Part returns the part of c that choose names, as a PartReader does:
// the products named, their meta and every domain; no history. c is not
// changed; the result shares its products.
func Part(c *Catalog, choose Choose) *Catalog {
	idx := IndexOf(c)
	return subset(c, idx, choose(idx))
}

// subset is c with only the products ids, marked as a part of the catalog
// idx indexes.
func subset(c *Catalog, idx *Index, ids []string) *Catalog {
	out := &Catalog{
		FormatVersion: c.FormatVersion,
		Lineage:       c.Lineage,
		Serial:        c.Serial,
		Domains:       maps.Clone(c.Domains),
		Products:      make(map[string]*catalog.Product, len(ids)),
		Meta:          map[string]ProductMeta{},
		History:       []Entry{},
		part:          idx,
	}
	for _, id := range ids {
		if p := c.Products[id]; p != nil {
			out.Products[id] = p
		}
		if m, ok := c.Meta[id]; ok {
			out.Meta[id] = m
		}
	}
	return out
}

// KeepPart makes c, made from of, a part of the same catalog as of, with
// its stubs: what a plan applied to a part returns, to write as a part.
func (c *Catalog) KeepPart(of *Catalog) {
	c.part, c.stubs = of.part, of.stubs
}

// Part returns the index of the whole live catalog when c holds only part
// of it (Store.ReadPart), else nil. A part cannot be written back.
func (c *Catalog) Part() *Index { return c.part }

// usablePart turns a part a backend read through idx into a usable one,
// as checked does a whole catalog: nil is New(), and a part of a catalog
// this meshc cannot rewrite is refused.
func (s *store) usablePart(c *Catalog, idx *Index) (*Catalog, error) {
	if c == nil {
		return New(), nil
	}
	if cerr := validate(c, nil); cerr != nil {
		cerr.Path = s.b.Describe()
		return nil, cerr
	}
	c.normalize()
	c.part = idx
	return c, nil
}

// readPart is Store.ReadPart.
func (s *store) readPart(ctx context.Context, choose Choose) (*Catalog, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if pr, ok := s.b.(PartReader); ok {
		c, idx, ok, err := pr.ReadPart(ctx, choose)
		if err != nil {
			return nil, err
		}
		if ok {
			return s.usablePart(c, idx)
		}
	}
	c, err := s.Read(ctx)
	if err != nil {
		return nil, err
	}
	return Part(c, choose), nil
}

// PartSession is a Session that reads and writes part of the catalog
// under its lock, without the rest: a merge of one domain then costs that
// domain.
type PartSession interface {
	// ReadPart is PartReader.ReadPart, under the lock.
	ReadPart(ctx context.Context, choose Choose) (c *Catalog, idx *Index, ok bool, err error)
	// ReplacePart stores d, the change from prev (what this session's
	// last ReadPart returned, with ok) to next, both parts of the stored
	// catalog, in one atomic step: readers see the catalog before or
	// after, never a mix. next has the serial, lineage and format version
	// to store; products, meta and domains not in d are left as stored,
	// and d.History is appended after the stored history. It fails,
	// writing nothing, if the stored catalog is no longer at prev's serial
	// and lineage (a *StaleError) or the lock was lost.
	ReplacePart(ctx context.Context, prev, next *Catalog, d Delta) error
}

// Delta is what a write of part of the catalog changes.
type Delta struct {
	Put        map[string]*catalog.Product // new or changed products
	Delete     []string                    // products removed, sorted
	Meta       map[string]ProductMeta      // new or changed meta
	DeleteMeta []string                    // meta removed, sorted
	Domains    map[string]*catalog.Domain  // new or changed domains
	// DeleteDomains are the domains removed, sorted.
	DeleteDomains []string
	History       []Entry // appended
}

// AddStub adds p to c, a part of the catalog, as a stub: a stand-in for a
// product that was not read (for the graph of who reads whom), which a
// write of the part must leave exactly as it is.
func (c *Catalog) AddStub(p *catalog.Product) {
	if c.stubs == nil {
		c.stubs = map[string]bool{}
	}
	c.stubs[p.ID] = true
	c.Products[p.ID] = p
}

// delta returns the change from prev to next, two parts of one catalog.
// A stub of prev may not change.
func delta(prev, next *Catalog) (Delta, error) {
	d := Delta{Put: map[string]*catalog.Product{}, Meta: map[string]ProductMeta{}, Domains: map[string]*catalog.Domain{}}
	for id, p := range next.Products {
		old := prev.Products[id]
		if old == p {
			continue
		}
		if prev.stubs[id] {
			return Delta{}, fmt.Errorf("product %s was not read (a stub of the graph) but is written", id)
		}
		if old == nil || !reflect.DeepEqual(old, p) {
			d.Put[id] = p
		}
	}
	for id := range prev.Products {
		if next.Products[id] == nil {
			if prev.stubs[id] {
				return Delta{}, fmt.Errorf("product %s was not read (a stub of the graph) but is removed", id)
			}
			d.Delete = append(d.Delete, id)
		}
	}
	for id, m := range next.Meta {
		if old, ok := prev.Meta[id]; !ok || old != m {
			d.Meta[id] = m
		}
	}
	for id := range prev.Meta {
		if _, ok := next.Meta[id]; !ok {
			d.DeleteMeta = append(d.DeleteMeta, id)
		}
	}
	for name, dm := range next.Domains {
		if old := prev.Domains[name]; old == nil || !reflect.DeepEqual(old, dm) {
			d.Domains[name] = dm
		}
	}
	for name := range prev.Domains {
		if next.Domains[name] == nil {
			d.DeleteDomains = append(d.DeleteDomains, name)
		}
	}
	slices.Sort(d.Delete)
	slices.Sort(d.DeleteMeta)
	slices.Sort(d.DeleteDomains)
	d.History = slices.Clone(next.History[min(len(prev.History), len(next.History)):])
	return d, nil
}

// Merge returns whole with d applied and next's serial, lineage and
// format version: what ReplacePart stores, for a backend that writes
// the whole document. whole is not changed.
func Merge(whole, next *Catalog, d Delta) *Catalog {
	out := &Catalog{
		FormatVersion: next.FormatVersion,
		Lineage:       next.Lineage,
		Serial:        next.Serial,
		Domains:       maps.Clone(whole.Domains),
		Products:      maps.Clone(whole.Products),
		Meta:          maps.Clone(whole.Meta),
		History:       append(slices.Clone(whole.History), d.History...),
	}
	maps.Copy(out.Products, d.Put)
	for _, id := range d.Delete {
		delete(out.Products, id)
	}
	maps.Copy(out.Meta, d.Meta)
	for _, id := range d.DeleteMeta {
		delete(out.Meta, id)
	}
	maps.Copy(out.Domains, d.Domains)
	for _, name := range d.DeleteDomains {
		delete(out.Domains, name)
	}
	out.normalize()
	return out
}
