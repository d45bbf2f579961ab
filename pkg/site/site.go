package site

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/meshc-dev/meshc/pkg/catalog"
	"github.com/meshc-dev/meshc/pkg/plan"
	"github.com/meshc-dev/meshc/pkg/result"
	"github.com/meshc-dev/meshc/pkg/state"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed assets/site.css
var siteCSS []byte

//go:embed assets/search.js
var searchJS string

// Options says what to build the site from, besides the mesh.
type Options struct {
	// Title names the site (the platform); default "Data products".
	Title string
	// Live is the live catalog: each product's change history and
	// bookkeeping come from it. Nil builds the site without history.
	Live *state.Catalog
	// From says in the footer what the site shows, e.g. "the live catalog
	// at serial 12".
	From string
	// Scores are the products' scorecards with the domain and team
	// roll-ups (the engine's Score); nil when the platform defines none.
	// The trend comes from the scores Live's history recorded.
	Scores *result.Scores
	// Usage is the observed usage of the products' ports (the engine's
	// Usage); nil when the live catalog's backend keeps none.
	Usage *result.Usage
}

// Limits that keep every page readable and bounded in size, whatever the
// mesh.
const (
	// DownstreamLimit is the most downstream consumers a product page lists.
	DownstreamLimit = 200
	// neighbourhood is the most products a product page's lineage draws.
	neighbourhood = 40
	// domainGraph is the most products a domain page's lineage draws.
	domainGraph = 120
	// meshGraph is the most products the mesh's lineage draws one by one;
	// a bigger mesh is drawn domain by domain, up to meshDomains domains.
	meshGraph   = 300
	meshDomains = 60
)

// Site is a built site: its files by slash-separated path.
type Site struct {
	files map[string][]byte
	csp   map[string]string // each page's policy, also sent as a header
}

// Paths returns the site's file paths, sorted.
func (s *Site) Paths() []string { return slices.Sorted(maps.Keys(s.files)) }

// File returns the content of the file at path.
func (s *Site) File(path string) ([]byte, bool) {
	b, ok := s.files[path]
	return b, ok
}

// Size returns the total size of the site's files in bytes.
func (s *Site) Size() int64 {
	var n int64
	for _, b := range s.files {
		n += int64(len(b))
	}
	return n
}

var pages = map[string]*template.Template{}

func init() {
	base := template.Must(template.New("site").Funcs(template.FuncMap{"statusClass": statusClass}).ParseFS(templateFS, "templates/layout.html"))
	for _, name := range []string{"index", "product", "domain", "team", "list", "lineage"} {
		files := []string{"templates/" + name + ".html"}
		if name == "team" {
			files = append(files, "templates/domain.html") // its "owned" and "outside"
		}
		t := template.Must(template.Must(base.Clone()).ParseFS(templateFS, files...))
		if name == "team" {
			// domain.html defined "body" too; the team's own wins.
			t = template.Must(t.ParseFS(templateFS, "templates/team.html"))
		}
		pages[name] = t
	}
}

// statusClass maps a status to its CSS class; an unknown one (a corrupt
// catalog's) gets none of the known styles.
func statusClass(s string) string {
	switch s {
	case catalog.StatusProposed, catalog.StatusDraft, catalog.StatusActive, catalog.StatusDeprecated, catalog.StatusRetired:
		return s
	}
	return "unknown"
}

// page is what the layout shows around a page's body.
type page struct {
	Title, SiteTitle, Footer string
	CSP                      string
	Root                     string      // "" or "../": from the page to the site's root
	Data                     template.JS // the search index, as JSON
	Script                   template.JS // the inline script, allowed by its hash
	Body                     any
}

// builder holds what every page of one build shares.
type builder struct {
	m         *catalog.Mesh
	o         Options
	ids       []string
	consumers *plan.Consumers
	readers   map[string][]string // product id -> ids of the products that read it, sorted
	byDomain  map[string][]string // domain -> its product ids, sorted
	products  *namer
	domains   *namer
	teams     *namer
	history   map[string][]historyRow
	scores    *scores
	mu        sync.Mutex // guards files and csp
	files     map[string][]byte
	csp       map[string]string
}

// Build builds the site of m. It fails only on a bug (a template that
// cannot execute); every tenant string is escaped.
func Build(m *catalog.Mesh, o Options) (*Site, error) {
	if o.Title == "" {
		o.Title = "Data products"
	}
	b := &builder{
		m: m, o: o, ids: m.ProductIDs(),
		consumers: plan.NewConsumers(m),
		readers:   map[string][]string{},
		byDomain:  map[string][]string{},
		products:  newNamer("products"),
		domains:   newNamer("domains"),
		teams:     newNamer("teams"),
		files:     map[string][]byte{"assets/site.css": siteCSS},
		csp:       map[string]string{},
	}
	for _, id := range b.ids {
		b.products.path(id)
		b.byDomain[m.Products[id].Domain] = append(b.byDomain[m.Products[id].Domain], id)
		for _, name := range catalog.SortedKeys(m.Products[id].InputPorts) {
			in := m.Products[id].InputPorts[name]
			if in.Product != id && !slices.Contains(b.readers[in.Product], id) {
				b.readers[in.Product] = append(b.readers[in.Product], id)
			}
		}
	}
	for _, name := range b.domainNames() {
		b.domains.path(name)
	}
	// "@acme/orders" is teams/acme-orders.html.
	b.teams.clean = func(k string) string { return strings.ReplaceAll(strings.TrimPrefix(k, "@"), "/", "-") }
	for _, t := range b.teamKeys() {
		b.teams.path(t)
	}
	b.history = historyByProduct(o.Live)
	b.scores = indexScores(o)
	// The product pages take most of the time, on every core; the other
	// pages are built meanwhile. Every step only reads what was set up
	// above, and render writes under the lock.
	products := make(chan error, 1)
	go func() { products <- b.productPages() }()
	var err error
	for _, step := range []func() error{b.index, b.domainPages, b.teamPages, b.lists, b.meshLineage} {
		if err = step(); err != nil {
			break
		}
	}
	if perr := <-products; err == nil {
		err = perr
	}
	if err != nil {
		return nil, err
	}
	return &Site{files: b.files, csp: b.csp}, nil
}

// render executes page template name into the file at path.
func (b *builder) render(name, path, title string, body any, data, script template.JS) error {
	var buf bytes.Buffer
	buf.Grow(32 << 10)
	p := page{
		Title: title, SiteTitle: b.o.Title, Footer: b.footer(),
		CSP: policy(script), Root: rel(path, ""), Data: data, Script: script, Body: body,
	}
	if err := pages[name].ExecuteTemplate(&buf, "layout", p); err != nil {
		return fmt.Errorf("site: %s: %w", path, err)
	}
	b.mu.Lock()
	b.files[path] = buf.Bytes()
	b.csp[path] = p.CSP
	b.mu.Unlock()
	return nil
}

func (b *builder) footer() string {
	s := fmt.Sprintf("%d products in %d domains", len(b.m.Products), len(b.m.Domains))
	if b.o.From != "" {
		s += ", from " + b.o.From
	}
	return s + ". Built by meshc."
}

// domainNames returns the mesh's domains and those its products name,
// sorted: a product of an undeclared domain still gets a domain page.
func (b *builder) domainNames() []string {
	names := map[string]bool{}
	for name := range b.m.Domains {
		names[name] = true
	}
	for _, p := range b.m.Products {
		names[p.Domain] = true
	}
	return slices.Sorted(maps.Keys(names))
}

// team is a team as pages show it: its name, contact and page.
type team struct {
	catalog.Team
	Key, Href string
}

// teamKey identifies a team: its GitHub handle, else its name.
func teamKey(t catalog.Team) string {
	if t.GitHub != "" {
		return t.GitHub
	}
	if t.Name != "" {
		return t.Name
	}
	return "(no team)"
}

func (b *builder) teamKeys() []string {
	keys := map[string]bool{}
	for _, name := range b.domainNames() {
		keys[teamKey(b.domainTeam(name))] = true
	}
	return slices.Sorted(maps.Keys(keys))
}

func (b *builder) domainTeam(domain string) catalog.Team {
	if d := b.m.Domains[domain]; d != nil {
		return d.Team
	}
	return catalog.Team{}
}

// teamOf returns the team that owns domain, with its link from page from.
func (b *builder) teamOf(domain, from string) team {
	t := b.domainTeam(domain)
	key := teamKey(t)
	if t.Name == "" {
		t.Name = key
	}
	tm := team{Team: t, Key: key}
	if p, ok := b.teams.lookup(key); ok { // a product of an unknown domain has no team page
		tm.Href = rel(from, p)
	}
	return tm
}

// productHref links page from to product id's page, or returns "" when
// the mesh has no such product.
func (b *builder) productHref(from, id string) string {
	p, ok := b.products.lookup(id)
	if !ok {
		return ""
	}
	return rel(from, p)
}

func domainOf(id string) string {
	d, _, _ := strings.Cut(id, ".")
	return d
}

// historyRow is one applied change of one product.
type historyRow struct {
	Serial   int64
	Date     string
	User     string
	Action   string
	Version  string
	Breaking bool
}

// historyByProduct collects the live catalog's history per product, newest
// first.
func historyByProduct(live *state.Catalog) map[string][]historyRow {
	out := map[string][]historyRow{}
	if live == nil {
		return out
	}
	for i := len(live.History) - 1; i >= 0; i-- {
		e := live.History[i]
		for _, c := range e.Changes {
			out[c.Product] = append(out[c.Product], historyRow{
				Serial: e.Serial, Date: e.Time.UTC().Format("2006-01-02 15:04 UTC"), User: e.User,
				Action: c.Action, Version: c.Version, Breaking: c.Breaking,
			})
		}
	}
	return out
}

func percent(f *float64) string {
	if f == nil {
		return ""
	}
	return strconv.FormatFloat(*f, 'f', -1, 64) + "%"
}
