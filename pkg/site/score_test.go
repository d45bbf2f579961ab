package site

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/meshc-dev/meshc/internal/fixture"
	"github.com/meshc-dev/meshc/pkg/catalog"
	"github.com/meshc-dev/meshc/pkg/result"
	"github.com/meshc-dev/meshc/pkg/state"
)

// scoredMesh is a small mesh with its scorecards, two recorded scores of
// shop.orders in the history, and observed usage: a declared consumer, a
// stale one and a shadow job.
func scoredMesh() (*catalog.Mesh, Options) {
	m := catalog.NewMesh()
	m.Domains["shop"] = &catalog.Domain{Name: "shop", Title: "Shop", Team: catalog.Team{Name: "Shop team", GitHub: "@acme/shop"}}
	m.Domains["bi"] = &catalog.Domain{Name: "bi", Team: catalog.Team{Name: "BI", GitHub: "@acme/bi"}}
	port := catalog.OutputPort{Type: "table", Location: "bigquery://acme.shop.orders", Schema: map[string]catalog.Field{"id": {Type: "string"}}}
	m.Products["shop.orders"] = &catalog.Product{ID: "shop.orders", Name: "orders", Domain: "shop", Title: "Orders", Version: "1.0.0",
		Status: catalog.StatusActive, OutputPorts: map[string]catalog.OutputPort{"orders": port}}
	m.Products["bi.report"] = &catalog.Product{ID: "bi.report", Name: "report", Domain: "bi", Title: "Report", Version: "1.0.0",
		Status: catalog.StatusActive, InputPorts: map[string]catalog.InputPort{"orders": {Product: "shop.orders", Port: "orders"}},
		OutputPorts: map[string]catalog.OutputPort{"out": port}}
	live := state.New()
	live.Serial, live.Lineage = 2, "l"
	live.Domains, live.Products = m.Domains, m.Products
	day := func(d int) time.Time { return time.Date(2026, 5, d, 9, 0, 0, 0, time.UTC) }
	live.History = []state.Entry{
		{Serial: 1, Time: day(1), User: "ada", Changes: []state.ProductChange{{Product: "shop.orders", Action: "create", Version: "1.0.0"}}, Scores: map[string]float64{"shop.orders": 70, "bi.report": 40}},
		{Serial: 2, Time: day(3), User: "ada", Changes: []state.ProductChange{{Product: "shop.orders", Action: "update", Version: "1.0.0"}}, Scores: map[string]float64{"shop.orders": 80}},
	}
	levels := []result.Level{{Name: "bronze", Min: 50}, {Name: "silver", Min: 75}, {Name: "gold", Min: 90}}
	checks := func(pass bool) []result.CheckScore {
		c := []result.CheckScore{
			{ID: "score-slo-declared", Title: "An SLO is declared", Weight: 2, Passed: true},
			{ID: "score-no-shadow-consumers", Title: "Every observed consumer is declared", Weight: 1, Passed: pass},
		}
		if !pass {
			c[1].Detail = "shadow consumers: job:airflow/adhoc_export"
		}
		return c
	}
	seen := day(4)
	o := Options{Live: live,
		Scores: &result.Scores{Levels: levels,
			Products: []result.ProductScore{
				{Product: "bi.report", Domain: "bi", Team: "@acme/bi", Score: 40, Checks: checks(true)},
				{Product: "shop.orders", Domain: "shop", Team: "@acme/shop", Score: 90, Level: "gold", Checks: checks(false)},
			},
			Domains: []result.RollUp{{Name: "bi", Products: 1, Score: 40}, {Name: "shop", Products: 1, Score: 90, Level: "gold"}},
			Teams:   []result.RollUp{{Name: "@acme/bi", Products: 1, Score: 40}, {Name: "@acme/shop", Products: 1, Score: 90, Level: "gold"}},
		},
		Usage: &result.Usage{Today: "2026-05-05", StaleDays: 30, Products: []result.ProductUsage{
			{Product: "bi.report", Ports: []result.PortUsage{{Port: "out", Unused: true}}},
			{Product: "shop.orders", Ports: []result.PortUsage{{Port: "orders", Active7: 2, Active30: 2, Consumers: []result.ConsumerUsage{
				{Consumer: "bi.report", Team: "@acme/bi", Declared: true, Runs7: 3, Runs30: 9, Failed30: 1, LastSeen: &seen},
				{Consumer: "job:airflow/adhoc_export", Runs7: 1, Runs30: 1, LastSeen: &seen, Shadow: true},
				{Consumer: "shop.gone", Declared: true, Stale: true, Retiring: true},
			}}}},
		}},
	}
	return m, o
}

// section returns the part of page from the heading with id up to the
// next h2.
func section(t *testing.T, page, id string) string {
	t.Helper()
	i := strings.Index(page, `<h2 id="`+id+`"`)
	if i < 0 {
		t.Fatalf("no section %s", id)
	}
	rest := page[i:]
	if j := strings.Index(rest[1:], "<h2 "); j >= 0 {
		rest = rest[:j+1]
	}
	return rest
}

func TestScorecardAndUsageGolden(t *testing.T) {
	m, o := scoredMesh()
	s, err := Build(m, o)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := s.File("products/shop.orders.html")
	got := section(t, string(page), "scorecard") + section(t, string(page), "usage")
	fixture.Golden(t, filepath.Join("testdata", "product-scorecard.golden"), got)
}

func TestScoresOnEveryPage(t *testing.T) {
	m, o := scoredMesh()
	s, err := Build(m, o)
	if err != nil {
		t.Fatal(err)
	}
	file := func(p string) string {
		b, ok := s.File(p)
		if !ok {
			t.Fatalf("no %s", p)
		}
		return string(b)
	}
	for _, c := range []struct{ path, want string }{
		// The trend: the history's scores, oldest first, then the current one.
		{"products/shop.orders.html", "<tr><td>1</td><td>2026-05-01</td><td>70</td><td></td></tr>\n<tr><td>2</td><td>2026-05-03</td><td>80</td><td>&#43;10</td></tr>\n<tr><td>current</td><td>now</td><td>90</td><td>&#43;10</td></tr>"},
		{"products/bi.report.html", `<span class="badge level lv0">40 · no level</span>`},
		{"products/bi.report.html", `<span class="badge unused">unused</span>`},
		{"index.html", `<li data-id="shop.orders"><a class="title" href="products/shop.orders.html">Orders</a> <code>shop.orders</code> <span class="badge st-active">active</span> <span class="badge level lv1" title="Scorecard">90 gold</span>`},
		{"index.html", `<select name="level" aria-label="Level"><option value="">Any level</option><option value="gold">gold</option><option value="silver">silver</option><option value="bronze">bronze</option><option value="-">No level</option></select>`},
		{"index.html", `"id":"bi.report"`},
		{"domains/shop.html", `<dt>Scorecard</dt><dd>mean score 90 over 1 products <span class="badge level lv1" title="Scorecard">gold</span></dd>`},
		{"domains/bi.html", `<td><span class="badge level lv0" title="Scorecard">40 no level</span></td></tr>`},
		{"teams/acme-shop.html", `mean score 90 over 1 products`},
		{"domains.html", `<th>Mean score</th>`},
		{"teams.html", `<span class="badge level lv0" title="Scorecard">no level</span> 40`},
	} {
		if !strings.Contains(file(c.path), c.want) {
			t.Errorf("%s lacks %s", c.path, c.want)
		}
	}
	if idx := file("index.html"); !strings.Contains(idx, `"lv":"gold"`) || !strings.Contains(idx, `"lv":"-"`) {
		t.Error("the search index lacks the products' levels")
	}

	// Without scorecards or usage, nothing of them shows.
	o.Scores, o.Usage = nil, nil
	bare, err := Build(m, o)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range bare.Paths() {
		b, _ := bare.File(p)
		for _, no := range []string{`id="scorecard"`, `id="usage"`, `name="level"`, `"lv":`, "Mean score", "<th>Score</th>"} {
			if strings.Contains(string(b), no) {
				t.Errorf("%s shows %s without scorecards", p, no)
			}
		}
	}
}

func TestLevelBadges(t *testing.T) {
	s := &scores{levels: []result.Level{{Name: "a", Min: 10}, {Name: "b", Min: 20}, {Name: "c", Min: 30}, {Name: "d", Min: 40}}}
	for level, class := range map[string]string{"d": "lv1", "c": "lv2", "b": "lv3", "a": "lv3", "": "lv0", "unknown": "lv0"} {
		if got := s.badge(level).Class; got != class {
			t.Errorf("badge(%q) = %s, want %s", level, got, class)
		}
	}
	for f, want := range map[float64]string{90: "90", 66.66: "66.7", 0: "0", -2.25: "-2.3"} {
		if got := num(f); got != want {
			t.Errorf("num(%v) = %s, want %s", f, got, want)
		}
	}
}
