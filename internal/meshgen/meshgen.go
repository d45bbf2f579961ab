package meshgen

import (
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
)

// Options says how big a mesh to write. A zero field takes its default; the
// defaults give about 9 KB of CUE per product, the mesh CUE-NOTES.md
// measured (1,000 products).
type Options struct {
	Domains           int // domains; default 20
	ProductsPerDomain int // products in each domain; default 50
	PortsPerProduct   int // output ports of each product; default 3
	FieldsPerPort     int // top-level schema fields of each output port; default 20
	// InputsPerProduct is the most input ports a product has; each has
	// between 0 and this many, on products of earlier domains. Default 3;
	// negative means none.
	InputsPerProduct int
	Seed             uint64 // the same seed writes the same mesh
}

// Default sizes, as in CUE-NOTES.md.
const (
	DefaultDomains           = 20
	DefaultProductsPerDomain = 50
	DefaultPortsPerProduct   = 3
	DefaultFieldsPerPort     = 20
	DefaultInputsPerProduct  = 3
)

// Stats counts what Write wrote.
type Stats struct {
	Domains     int
	Products    int
	OutputPorts int
	InputPorts  int
	Fields      int   // schema fields of output ports, nested ones included
	Files       int   // .cue files, mesh.cue included
	Bytes       int64 // size of all files
}

// Org is the organisation every synthetic mesh belongs to.
const Org = "acme"

func (o Options) withDefaults() Options {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&o.Domains, DefaultDomains)
	def(&o.ProductsPerDomain, DefaultProductsPerDomain)
	def(&o.PortsPerProduct, DefaultPortsPerProduct)
	def(&o.FieldsPerPort, DefaultFieldsPerPort)
	def(&o.InputsPerProduct, DefaultInputsPerProduct)
	o.InputsPerProduct = max(o.InputsPerProduct, 0)
	return o
}

// Write writes a mesh into dir: dir/mesh.cue and dir/domains/<domain>/ with
// domain.cue and one <product>.cue per product. dir must be empty or not
// exist, so that no file of an earlier mesh is left behind.
func Write(dir string, o Options) (Stats, error) {
	o = o.withDefaults()
	if o.Domains < 0 || o.ProductsPerDomain < 0 || o.PortsPerProduct < 0 || o.FieldsPerPort < 0 {
		return Stats{}, errors.New("meshgen: sizes must not be negative")
	}
	if err := checkEmpty(dir); err != nil {
		return Stats{}, err
	}
	m := generate(o)
	w := &writer{root: dir}
	w.file("mesh.cue", m.config())
	for _, d := range m.domains {
		w.file(filepath.Join("domains", d.name, "domain.cue"), d.source())
		for _, p := range d.products {
			w.file(filepath.Join("domains", d.name, p.name+".cue"), p.source(d.name))
		}
	}
	if w.err != nil {
		return Stats{}, w.err
	}
	st := m.stats()
	st.Files, st.Bytes = w.files, w.bytes
	return st, nil
}

func checkEmpty(dir string) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("meshgen: %w", err)
	case len(entries) > 0:
		return fmt.Errorf("meshgen: %s is not empty; write the mesh into a new directory", dir)
	}
	return nil
}

// writer writes files under root, keeping the first error.
type writer struct {
	root  string
	files int
	bytes int64
	err   error
}

func (w *writer) file(name string, src []byte) {
	if w.err != nil {
		return
	}
	p := filepath.Join(w.root, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		w.err = fmt.Errorf("meshgen: %w", err)
		return
	}
	if err := os.WriteFile(p, src, 0o644); err != nil {
		w.err = fmt.Errorf("meshgen: %w", err)
		return
	}
	w.files++
	w.bytes += int64(len(src))
}

// generate draws the whole mesh from o.Seed. Domains, products, ports and
// fields are drawn in one fixed order, so the mesh depends on nothing else.
func generate(o Options) *mesh {
	g := &generator{o: o, r: rand.New(rand.NewPCG(o.Seed, 0x6d65736867656e))}
	m := &mesh{}
	names := g.domainNames()
	for _, name := range names {
		d := g.domain(name, names)
		m.domains = append(m.domains, d)
		// Inputs read products of earlier domains only: the mesh has no
		// cycles, and every reference is to another domain.
		for _, p := range d.products {
			if p.status != "active" {
				continue
			}
			for _, port := range p.ports {
				if port.visibility == "public" {
					g.pool = append(g.pool, ref{product: d.name + "." + p.name, port: port.name, name: p.name, entity: p.entity})
				}
			}
		}
	}
	return m
}

type generator struct {
	o    Options
	r    *rand.Rand
	pool []ref // public ports of active products of the domains drawn so far
}

// ref is an output port an input port may read.
type ref struct {
	product, port string
	name          string // the product's name, without its domain
	entity        string // what the product is about
}

// pick returns one of items.
func pick[T any](r *rand.Rand, items []T) T { return items[r.IntN(len(items))] }

// chance reports true with probability p.
func (g *generator) chance(p float64) bool { return g.r.Float64() < p }

func (g *generator) domainNames() []string {
	base := append([]string(nil), domainNames...)
	g.r.Shuffle(len(base), func(i, j int) { base[i], base[j] = base[j], base[i] })
	names := make([]string, g.o.Domains)
	for i := range names {
		n := base[i%len(base)]
		round := i / len(base)
		switch {
		case round == 0:
		case round < len(regions):
			n += "_" + regions[round]
		default:
			n += fmt.Sprintf("_%d", round)
		}
		names[i] = n
	}
	return names
}

func (g *generator) domain(name string, all []string) *domain {
	base, _, _ := strings.Cut(name, "_")
	d := &domain{
		name:        name,
		title:       title(strings.ReplaceAll(name, "_", " ")),
		description: fmt.Sprintf(pick(g.r, domainPurposes), base),
		team:        title(base) + " team",
		github:      "@" + Org + "/" + strings.ReplaceAll(name, "_", "-"),
		email:       strings.ReplaceAll(name, "_", "-") + "@" + Org + ".example",
	}
	used := map[string]bool{}
	for range g.o.ProductsPerDomain {
		d.products = append(d.products, g.product(d, used, all))
	}
	return d
}

func (g *generator) product(d *domain, used map[string]bool, all []string) *product {
	entity, kind := pick(g.r, entities), pick(g.r, kinds)
	name := entity + "_" + kind
	for i := 2; used[name]; i++ {
		entity, kind = pick(g.r, entities), pick(g.r, kinds)
		name = entity + "_" + kind
		if i > 20 {
			name = fmt.Sprintf("%s_%s_%d", entity, kind, i)
		}
	}
	used[name] = true
	human := strings.ReplaceAll(entity, "_", " ")
	p := &product{
		name:        name,
		title:       title(human + " " + strings.ReplaceAll(kind, "_", " ")),
		description: upperFirst(fmt.Sprintf(kindPurposes[kind], human)),
		version:     fmt.Sprintf("%d.%d.%d", g.r.IntN(4), g.r.IntN(20), g.r.IntN(10)),
		entity:      entity,
	}
	p.status = g.weighted([]string{"active", "draft", "deprecated", "proposed"}, []int{85, 8, 4, 3})
	p.classification = g.weighted([]string{"internal", "confidential", "public", "restricted"}, []int{60, 20, 15, 5})
	base, _, _ := strings.Cut(d.name, "_")
	p.tags = append(p.tags, base)
	for range g.r.IntN(3) + 1 {
		if t := pick(g.r, tags); !contains(p.tags, t) {
			p.tags = append(p.tags, t)
		}
	}
	if p.status == "active" || g.chance(0.5) {
		p.slo = &slo{freshness: pick(g.r, sloFreshness), availability: pick(g.r, []string{"99", "99.5", "99.9", "99.95"})}
		if g.chance(0.3) {
			p.slo.retention = pick(g.r, []string{"30d", "90d", "365d", "2555d"})
		}
	}
	if p.status == "deprecated" {
		// Far in the future, so that a rule on how close a sunset may be
		// never fails the generated mesh.
		p.deprecation = &deprecation{
			sunset: fmt.Sprintf("2099-%02d-%02d", g.r.IntN(12)+1, g.r.IntN(28)+1),
			reason: "Superseded by a redesigned product with a cleaner model; migrate before the sunset.",
		}
	}
	if g.o.InputsPerProduct > 0 && len(g.pool) > 0 {
		seen := map[string]bool{}
		for range g.r.IntN(g.o.InputsPerProduct + 1) {
			src := pick(g.r, g.pool)
			if seen[src.product] {
				continue
			}
			seen[src.product] = true
			in := input{name: src.name, product: src.product, port: src.port}
			if contains(inputNames(p.inputs), in.name) {
				in.name = fmt.Sprintf("%s_%d", in.name, len(p.inputs)+1)
			}
			if g.chance(0.5) {
				in.description = "Joined on the " + strings.ReplaceAll(src.entity, "_", " ") + " key to enrich every record."
			}
			p.inputs = append(p.inputs, in)
		}
	}
	for i := range g.o.PortsPerProduct {
		p.ports = append(p.ports, g.port(d, p, i, all))
	}
	return p
}

func (g *generator) port(d *domain, p *product, i int, all []string) port {
	pn := portNames[i%len(portNames)]
	name := pn.name
	if i >= len(portNames) {
		name = fmt.Sprintf("%s_%d", name, i/len(portNames)+1)
	}
	pt := port{name: name, typ: pn.typ, format: pick(g.r, formats[pn.typ])}
	pt.description = fmt.Sprintf(pn.desc, strings.ToLower(p.title))
	major := strings.SplitN(p.version, ".", 2)[0]
	switch pn.typ {
	case "topic":
		pt.location = fmt.Sprintf("kafka://%s.%s.%s.v%s", d.name, p.name, name, major)
	case "table":
		pt.location = fmt.Sprintf("bigquery://%s-prod/%s.%s_%s", Org, d.name, p.name, name)
	case "view":
		pt.location = fmt.Sprintf("snowflake://%s/analytics/%s/%s_%s", Org, d.name, p.name, name)
	case "file":
		pt.location = fmt.Sprintf("s3://%s-lake/%s/%s/%s/", Org, d.name, p.name, name)
	case "api":
		pt.location = fmt.Sprintf("https://api.%s.example/%s/%s/%s", Org, d.name, p.name, name)
	}
	// The first port is public, so that every active product can be read by
	// other domains.
	switch x := g.r.IntN(100); {
	case i == 0 || x < 70:
		pt.visibility = "public"
	case x < 90:
		pt.visibility = "domain"
	default:
		pt.visibility = "restricted"
		for range g.r.IntN(2) + 1 {
			if a := pick(g.r, all); a != d.name && !contains(pt.allow, a) {
				pt.allow = append(pt.allow, a)
			}
		}
		if len(pt.allow) == 0 {
			pt.visibility = "domain"
		}
	}
	pt.schema = g.schema(p)
	return pt
}

func (g *generator) schema(p *product) []schemaField {
	n := g.o.FieldsPerPort
	if n == 0 {
		return nil
	}
	key := schemaField{field: field{name: p.entity + "_id", typ: "string",
		desc: "Key of the " + strings.ReplaceAll(p.entity, "_", " ") + ", stable for its whole life and unique in this port."},
		required: true, unique: true, primaryKey: true}
	out := []schemaField{key}
	for _, i := range g.r.Perm(len(fields)) {
		if len(out) == n {
			break
		}
		out = append(out, g.field(fields[i], ""))
	}
	for i := 0; len(out) < n; i++ {
		f := fields[i%len(fields)]
		out = append(out, g.field(f, fmt.Sprintf("_%d", i/len(fields)+2)))
	}
	return out
}

func (g *generator) field(f field, suffix string) schemaField {
	f.name += suffix
	sf := schemaField{field: f, required: g.chance(0.4), pii: f.pii}
	if f.pii {
		sf.classification = "confidential"
	}
	switch f.typ {
	case "array":
		sf.items = &field{typ: "string", desc: "One label, lower case, at most 64 characters."}
	case "object":
		sf.fields = []field{
			{name: "key", typ: "string", desc: "Name of the attribute as the source system spells it."},
			{name: "value", typ: "string", desc: "Value of the attribute, rendered as text."},
		}
	}
	return sf
}

func contains(s []string, x string) bool {
	for _, e := range s {
		if e == x {
			return true
		}
	}
	return false
}

func inputNames(ins []input) []string {
	var s []string
	for _, in := range ins {
		s = append(s, in.name)
	}
	return s
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// title capitalises the first word only, as product titles usually are.
func title(s string) string { return upperFirst(s) }

// weighted picks one of values, each with its weight in percent.
func (g *generator) weighted(values []string, percent []int) string {
	x := g.r.IntN(100)
	for i, w := range percent {
		if x < w {
			return values[i]
		}
		x -= w
	}
	return values[len(values)-1]
}
