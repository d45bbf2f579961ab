package site

import (
	"html/template"
	"runtime"
	"sync"

	"github.com/meshc-dev/meshc/pkg/catalog"
	"github.com/meshc-dev/meshc/pkg/state"
)

// maxDepth is the deepest indentation of a schema table; deeper fields
// are drawn at it.
const maxDepth = 6

type link struct{ ID, Href string }

type fieldRow struct {
	Name  string
	Depth int
	F     catalog.Field
	Flags []string
}

type portView struct {
	Name string
	Port catalog.OutputPort
	Rows []fieldRow
}

type inputView struct {
	Name, Product, Port, Description, Href string
	Team                                   team
}

type consumerRow struct {
	ID, Href, Reads, Via, ViaHref string
	Team                          team
}

type consumersView struct {
	Direct, Downstream []consumerRow
	More               bool
	Limit              int
}

type productView struct {
	P            *catalog.Product
	DomainHref   string
	Team         team
	SLOs         []string
	ReplacedBy   *link
	DeprecatedOn string
	Meta         *state.ProductMeta
	Ports        []portView
	Inputs       []inputView
	Consumers    consumersView
	History      []historyRow
	NoHistory    string
	Lineage      template.HTML
	Cut          int
	Score        *scoreView
	Usage        *usageView
}

// productPages builds the product pages on every core: they only read
// what the builder set up (every page path is named before).
func (b *builder) productPages() error {
	work := make(chan string)
	errs := make(chan error, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for range cap(errs) {
		wg.Go(func() {
			var first error
			for id := range work {
				if first == nil {
					first = b.productPage(id)
				}
			}
			errs <- first
		})
	}
	for _, id := range b.ids {
		work <- id
	}
	close(work)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func (b *builder) productPage(id string) error {
	p := b.m.Products[id]
	path := b.products.path(id)
	v := productView{
		P: p, DomainHref: rel(path, b.domains.path(p.Domain)), Team: b.teamOf(p.Domain, path),
		History: b.history[id],
	}
	if s := p.SLO; s != nil {
		for _, kv := range [][2]string{{"freshness", s.Freshness}, {"availability", percent(s.Availability)}, {"latency", s.Latency}, {"retention", s.Retention}} {
			if kv[1] != "" {
				v.SLOs = append(v.SLOs, kv[0]+" "+kv[1])
			}
		}
	}
	if p.Deprecation != nil && p.Deprecation.ReplacedBy != "" {
		v.ReplacedBy = &link{ID: p.Deprecation.ReplacedBy, Href: b.productHref(path, p.Deprecation.ReplacedBy)}
	}
	if b.o.Live != nil {
		if m, ok := b.o.Live.Meta[id]; ok {
			v.Meta = &m
			v.DeprecatedOn = m.DeprecatedOn
		}
	}
	switch {
	case b.o.Live == nil:
		v.NoHistory = "Built without the live catalog: no history."
	case b.o.Live.Products[id] == nil:
		v.NoHistory = "Not applied to the live catalog yet."
	default:
		v.NoHistory = "The live catalog recorded no change of this product (it was applied before meshc kept changes per product)."
	}
	for _, name := range catalog.SortedKeys(p.OutputPorts) {
		port := p.OutputPorts[name]
		pv := portView{Name: name, Port: port}
		schemaRows(port.Schema, 0, &pv.Rows)
		v.Ports = append(v.Ports, pv)
	}
	for _, name := range catalog.SortedKeys(p.InputPorts) {
		in := p.InputPorts[name]
		v.Inputs = append(v.Inputs, inputView{Name: name, Product: in.Product, Port: in.Port, Description: in.Description,
			Href: b.productHref(path, in.Product), Team: b.teamOf(domainOf(in.Product), path)})
	}
	v.Consumers = b.consumersOf(id, path)
	v.Score, v.Usage = b.scoreOf(id), b.usageOf(id, path)
	g, cut := b.neighbourhood(id, path)
	v.Cut = cut
	svg, err := b.svg(g, "lineage-"+id, "Lineage of "+id)
	if err != nil {
		return err
	}
	v.Lineage = svg
	return b.render("product", path, orID(p.Title, id), v, "", "")
}

func (b *builder) consumersOf(id, path string) consumersView {
	impacts, more := b.consumers.Of(id, DownstreamLimit)
	cv := consumersView{More: more, Limit: DownstreamLimit}
	for _, im := range impacts {
		r := consumerRow{ID: im.Product, Href: b.productHref(path, im.Product), Reads: im.Port,
			Team: b.teamOf(domainOf(im.Product), path)}
		if im.Via == "" {
			cv.Direct = append(cv.Direct, r)
			continue
		}
		r.Via, r.ViaHref = im.Via, b.productHref(path, im.Via)
		cv.Downstream = append(cv.Downstream, r)
	}
	return cv
}

// schemaRows lists a schema's fields in order, nested fields and array
// items below their parent, one level deeper.
func schemaRows(schema map[string]catalog.Field, depth int, rows *[]fieldRow) {
	for _, name := range catalog.SortedKeys(schema) {
		fieldRows(name, schema[name], depth, rows)
	}
}

func fieldRows(name string, f catalog.Field, depth int, rows *[]fieldRow) {
	var flags []string
	for _, fl := range []struct {
		on   bool
		name string
	}{{f.PrimaryKey, "key"}, {f.Required, "required"}, {f.Unique, "unique"}, {f.PII, "pii"}} {
		if fl.on {
			flags = append(flags, fl.name)
		}
	}
	*rows = append(*rows, fieldRow{Name: name, Depth: min(depth, maxDepth), F: f, Flags: flags})
	schemaRows(f.Fields, depth+1, rows)
	if f.Items != nil {
		fieldRows("[items]", *f.Items, depth+1, rows)
	}
}
