package site

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/meshc-dev/meshc/pkg/catalog"
	"github.com/meshc-dev/meshc/pkg/result"
	"github.com/meshc-dev/meshc/pkg/state"
)

// Payloads planted in every tenant string: markup that would run script if
// it reached the page unescaped, and a javascript: URL for every place a
// string could become a link.
const (
	payloadHTML = `"'><script>window.__pwned=1</script><img src=x onerror="window.__pwned=1"><svg onload=window.__pwned=1>`
	payloadURL  = `javascript:window.__pwned=1`
)

// PayloadMesh returns a mesh and live catalog with a payload in every
// tenant field: names, ids, titles, descriptions, teams, contacts, tags,
// SLOs, lifecycle, ports, fields and history. The browser test loads its
// site too.
func PayloadMesh() (*catalog.Mesh, *state.Catalog) {
	p := func(kind string) string { return kind + payloadHTML }
	field := catalog.Field{Type: p("type"), Description: p("desc"), Classification: p("class"), RenamedFrom: p("old"),
		Fields: map[string]catalog.Field{p("nested"): {Type: "string", Description: payloadURL}},
		Items:  &catalog.Field{Type: p("item"), Description: p("item")}}
	port := catalog.OutputPort{Description: p("port"), Type: p("type"), Location: payloadURL, Format: p("format"),
		Access: catalog.Access{Visibility: p("vis"), Allow: []string{p("allow"), payloadURL}},
		Schema: map[string]catalog.Field{p("field"): field, payloadURL: field}}
	avail := 99.9
	evil := "evil" + payloadHTML
	m := catalog.NewMesh()
	m.Domains[evil] = &catalog.Domain{Name: evil, Title: p("title"), Description: p("desc"),
		Team:   catalog.Team{Name: p("team"), GitHub: payloadURL, Email: payloadURL},
		Source: catalog.Source{Git: payloadURL, Ref: p("ref"), Path: p("path"), Commit: p("commit")}}
	m.Domains["plain"] = &catalog.Domain{Name: "plain", Title: "Plain", Description: "A plain domain.",
		Team: catalog.Team{Name: "Plain team", GitHub: "@acme/plain"}}
	a := &catalog.Product{ID: evil + "." + payloadURL, Name: payloadURL, Domain: evil, Title: p("title"), Description: p("desc"),
		Version: p("1.0.0"), Status: catalog.StatusDeprecated, Classification: p("class"), Tags: []string{p("tag"), payloadURL},
		SLO:         &catalog.SLO{Freshness: p("fresh"), Availability: &avail, Latency: p("lat"), Retention: p("ret")},
		Deprecation: &catalog.Deprecation{Sunset: p("sunset"), Reason: p("reason"), ReplacedBy: payloadURL},
		InputPorts:  map[string]catalog.InputPort{p("in"): {Product: payloadURL, Port: p("port"), Description: p("in")}},
		OutputPorts: map[string]catalog.OutputPort{p("out"): port, payloadURL: port}}
	b := &catalog.Product{ID: "plain.reader", Name: "reader", Domain: "plain", Title: "Reader", Description: "Reads the evil one.",
		Version: "1.0.0", Status: p("status"), Classification: "internal",
		InputPorts:  map[string]catalog.InputPort{"evil": {Product: a.ID, Port: p("out")}},
		OutputPorts: map[string]catalog.OutputPort{"out": {Type: "table", Location: "s3://plain", Schema: map[string]catalog.Field{}}}}
	m.Products[a.ID], m.Products[b.ID] = a, b
	live := state.New()
	live.Serial, live.Lineage = 1, "l"
	live.Domains, live.Products = m.Domains, m.Products
	live.Meta[a.ID] = state.ProductMeta{CreatedSerial: 1, UpdatedSerial: 1, DeprecatedOn: p("on")}
	live.History = []state.Entry{{Serial: 1, Time: time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC), User: p("user"),
		Changes: []state.ProductChange{{Product: a.ID, Action: p("create"), Version: p("v"), Breaking: true}}}}
	return m, live
}

// PayloadOptions returns the options to build PayloadMesh's site with: a
// payload in every string of its scorecards (level names, check titles
// and details, teams) and of its observed usage (job names and
// namespaces, as lineage events carry them, consumers, teams, ports).
func PayloadOptions(m *catalog.Mesh, live *state.Catalog) Options {
	p := func(kind string) string { return kind + payloadHTML }
	evil, plain := "", "plain.reader"
	for id := range m.Products {
		if id != plain {
			evil = id
		}
	}
	live.History[0].Scores = map[string]float64{evil: 40, plain: 70, p("gone"): 10}
	levels := []result.Level{{Name: p("bronze"), Min: 30}, {Name: payloadURL, Min: 60}, {Name: p("gold"), Min: 90}}
	checks := []result.CheckScore{
		{ID: p("score-id"), Title: p("check"), Weight: 2, Passed: false, Detail: p("detail") + payloadURL},
		{ID: payloadURL, Title: payloadURL, Weight: 1, Passed: true},
	}
	scores := &result.Scores{Levels: levels,
		Products: []result.ProductScore{
			{Product: evil, Domain: m.Products[evil].Domain, Team: payloadURL, Score: 33.3, Level: levels[0].Name, Checks: checks},
			{Product: plain, Domain: "plain", Team: "@acme/plain", Score: 66.7, Level: levels[1].Name, Checks: checks},
			{Product: p("gone"), Domain: p("gone"), Score: 100, Level: levels[2].Name, Checks: checks},
		},
		Domains: []result.RollUp{{Name: m.Products[evil].Domain, Products: 1, Score: 33.3, Level: levels[0].Name}, {Name: "plain", Products: 1, Score: 66.7, Level: levels[1].Name}},
		Teams:   []result.RollUp{{Name: payloadURL, Products: 1, Score: 33.3, Level: p("level")}, {Name: "@acme/plain", Products: 1, Score: 66.7}},
	}
	seen := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	var ports []result.PortUsage
	for _, port := range catalog.SortedKeys(m.Products[evil].OutputPorts) {
		ports = append(ports, result.PortUsage{Port: port, Active7: 2, Active30: 3, Consumers: []result.ConsumerUsage{
			{Consumer: plain, Team: "@acme/plain", Declared: true, Runs7: 1, Runs30: 2, LastSeen: &seen},
			{Consumer: "job:" + p("namespace") + "/" + p("job"), Runs7: 3, Runs30: 4, Failed30: 1, LastSeen: &seen, Shadow: true, Retiring: true},
			{Consumer: "job:" + payloadURL + "/" + payloadURL, Team: payloadURL, Shadow: true, LastSeen: &seen},
			{Consumer: payloadURL, Team: p("team"), Declared: true, Stale: true},
		}})
	}
	ports = append(ports, result.PortUsage{Port: p("unused"), Unused: true})
	usage := &result.Usage{Today: p("today"), StaleDays: 30, Products: []result.ProductUsage{
		{Product: evil, Team: payloadURL, Status: p("status"), Sunset: p("sunset"), Ports: ports},
		{Product: plain, Ports: []result.PortUsage{{Port: "out", Unused: true}}},
	}}
	return Options{Live: live, Scores: scores, Usage: usage}
}

// TestPayloadsDoNotBecomeMarkup parses every page and checks that no
// planted payload became an element, an attribute, a script or a link: it
// shows as text, escaped.
func TestPayloadsDoNotBecomeMarkup(t *testing.T) {
	m, live := PayloadMesh()
	o := PayloadOptions(m, live)
	o.Title, o.From = "t"+payloadHTML, payloadHTML
	s, err := Build(m, o)
	if err != nil {
		t.Fatal(err)
	}
	pages := 0
	shown := 0
	for _, path := range s.Paths() {
		if !strings.HasSuffix(path, ".html") {
			continue
		}
		pages++
		data, _ := s.File(path)
		doc, err := html.Parse(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		var walk func(*html.Node)
		walk = func(n *html.Node) {
			if n.Type == html.TextNode && strings.Contains(n.Data, "<script>window.__pwned") {
				shown++
			}
			if n.Type == html.ElementNode {
				checkElement(t, path, n)
			}
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c)
			}
		}
		walk(doc)
	}
	if pages < 6 {
		t.Fatalf("only %d pages", pages)
	}
	// The control: the payloads are on the pages, as text.
	if shown < pages {
		t.Errorf("the payload shows as text %d times in %d pages: was it dropped instead of escaped?", shown, pages)
	}
}

func checkElement(t *testing.T, path string, n *html.Node) {
	t.Helper()
	switch n.Data {
	case "img", "iframe", "object", "embed", "base", "form", "input", "select", "option", "meta", "link", "script":
		if !allowedElement(n) {
			t.Errorf("%s: unexpected <%s> %v", path, n.Data, n.Attr)
		}
	}
	for _, a := range n.Attr {
		key := strings.ToLower(a.Key)
		if strings.HasPrefix(key, "on") {
			t.Errorf("%s: <%s> has an event handler %s=%q", path, n.Data, a.Key, a.Val)
		}
		if key == "href" || key == "src" || key == "action" || key == "xlink:href" {
			v := strings.ToLower(strings.TrimSpace(a.Val))
			if v == "" || v == "#zgotmplz" {
				t.Errorf("%s: <%s %s=%q> links nowhere: a link to a missing page should be text", path, n.Data, a.Key, a.Val)
			}
			if strings.Contains(v, ":") && !strings.HasPrefix(v, "mailto:") && !(n.Data == "link" && v == "data:,") {
				t.Errorf("%s: <%s %s=%q> is not a link inside the site", path, n.Data, a.Key, a.Val)
			}
			if strings.HasPrefix(v, "//") || strings.HasPrefix(v, "/") {
				t.Errorf("%s: <%s %s=%q> leaves the site's directory", path, n.Data, a.Key, a.Val)
			}
		}
	}
}

// allowedElement reports whether n is one of the elements the layout
// itself writes.
func allowedElement(n *html.Node) bool {
	attr := func(k string) string {
		for _, a := range n.Attr {
			if a.Key == k {
				return a.Val
			}
		}
		return ""
	}
	switch n.Data {
	case "meta":
		return attr("charset") == "utf-8" || attr("http-equiv") == "Content-Security-Policy" || attr("name") == "referrer" || attr("name") == "viewport"
	case "link":
		return attr("rel") == "stylesheet" && strings.HasSuffix(attr("href"), "assets/site.css") || attr("rel") == "icon" && attr("href") == "data:,"
	case "script":
		text := ""
		if n.FirstChild != nil {
			text = n.FirstChild.Data
		}
		return attr("type") == "application/json" && attr("id") == "search-index" || len(n.Attr) == 0 && text == searchJS
	case "form", "input", "select", "option":
		return true // the index's search form; its values are escaped attributes
	}
	return false
}

func TestPolicies(t *testing.T) {
	m, live := PayloadMesh()
	s, err := Build(m, PayloadOptions(m, live))
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range s.Paths() {
		if !strings.HasSuffix(path, ".html") {
			continue
		}
		data, _ := s.File(path)
		csp := s.csp[path]
		if got := metaCSP(t, data); got != csp {
			t.Errorf("%s: CSP meta %q, want %q", path, got, csp)
		}
		if strings.Contains(csp, "http") || strings.Contains(csp, "*") || strings.Contains(csp, "unsafe") {
			t.Errorf("%s: CSP %q allows more than the site", path, csp)
		}
		want := "script-src 'none'"
		if path == "index.html" {
			want = "script-src '" + scriptHash(searchJS) + "'"
		}
		if !strings.Contains(csp, want) {
			t.Errorf("%s: CSP %q, want %s", path, csp, want)
		}
	}
}

func TestDeterministic(t *testing.T) {
	m, live := PayloadMesh()
	a, _ := Build(m, PayloadOptions(m, live))
	b, _ := Build(m, PayloadOptions(m, live))
	for _, p := range a.Paths() {
		x, _ := a.File(p)
		y, _ := b.File(p)
		if !bytes.Equal(x, y) {
			t.Errorf("%s differs between two builds", p)
		}
	}
}

func TestSlug(t *testing.T) {
	for in, want := range map[string]string{
		"orders.orders":  "orders.orders",
		"../etc/passwd":  "~2E.~2Fetc~2Fpasswd",
		"a b/c":          "a~20b~2Fc",
		"":               "~",
		"Ünï":            "~C3~9Cn~C3~AF",
		".hidden":        "~2Ehidden",
		"javascript:x()": "javascript~3Ax~28~29",
	} {
		if got := slug(in); got != want {
			t.Errorf("slug(%q) = %q, want %q", in, got, want)
		}
	}
	if got := slug(strings.Repeat("x", 500)); len(got) > 130 {
		t.Errorf("long slug has %d bytes", len(got))
	}
	n := newNamer("p")
	if a, b := n.path("Ab"), n.path("ab"); a == b || strings.EqualFold(a, b) {
		t.Errorf("paths %s and %s collide on a case-insensitive file system", a, b)
	}
}

// metaCSP returns the content of the page's Content-Security-Policy meta
// element, as the browser reads it.
func metaCSP(t *testing.T, page []byte) string {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	var found string
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "meta" {
			m := map[string]string{}
			for _, a := range n.Attr {
				m[a.Key] = a.Val
			}
			if m["http-equiv"] == "Content-Security-Policy" {
				found = m["content"]
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return found
}

// TestWriteDirRemovesStalePages writes two sites into one directory: the
// pages of a product gone from the second are removed, other files stay.
func TestWriteDirRemovesStalePages(t *testing.T) {
	dir := t.TempDir()
	m, live := PayloadMesh()
	first, _ := Build(m, Options{Live: live})
	if err := first.WriteDir(dir); err != nil {
		t.Fatal(err)
	}
	mine := filepath.Join(dir, "notes.txt")
	os.WriteFile(mine, []byte("mine"), 0o644)
	os.WriteFile(filepath.Join(dir, ManifestName), append(must(os.ReadFile(filepath.Join(dir, ManifestName))), "../escape\n/etc/passwd\n"...), 0o644)
	delete(m.Products, "plain.reader")
	second, _ := Build(m, Options{Live: live})
	if err := second.WriteDir(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "products/plain.reader.html")); !os.IsNotExist(err) {
		t.Errorf("the page of a removed product is still there: %v", err)
	}
	if _, err := os.Stat(mine); err != nil {
		t.Errorf("a file the site did not write was removed: %v", err)
	}
	for _, p := range second.Paths() {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			t.Error(err)
		}
	}
	for _, bad := range []string{"../x", "/x", "a/../b", "", ".", "a\\b", ManifestName} {
		if safePath(bad) {
			t.Errorf("safePath(%q) = true", bad)
		}
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestPayloadsInScoresShowAsText is the control of the payload test for
// scorecards and usage: their tenant strings (job names from lineage
// events among them) reach the pages, as text.
func TestPayloadsInScoresShowAsText(t *testing.T) {
	m, live := PayloadMesh()
	s, err := Build(m, PayloadOptions(m, live))
	if err != nil {
		t.Fatal(err)
	}
	var evil string
	for _, p := range s.Paths() {
		if strings.HasPrefix(p, "products/") && p != "products/plain.reader.html" {
			evil = p
		}
	}
	text := func(path string) string {
		data, ok := s.File(path)
		if !ok {
			t.Fatalf("no page %s", path)
		}
		doc, err := html.Parse(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		var sb strings.Builder
		var walk func(*html.Node)
		walk = func(n *html.Node) {
			if n.Type == html.TextNode {
				sb.WriteString(n.Data)
			}
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				walk(c)
			}
		}
		walk(doc)
		return sb.String()
	}
	page := text(evil)
	for _, want := range []string{"check" + payloadHTML, "detail" + payloadHTML + payloadURL, "bronze" + payloadHTML,
		"job:namespace" + payloadHTML + "/job" + payloadHTML, "job:" + payloadURL + "/" + payloadURL, "today" + payloadHTML, "unused" + payloadHTML} {
		if !strings.Contains(page, want) {
			t.Errorf("the product page lacks %q as text", want)
		}
	}
	index := text("index.html")
	if !strings.Contains(index, "gold"+payloadHTML) || !strings.Contains(index, "33.3 bronze"+payloadHTML) {
		t.Error("the index lacks the level filter or badge as text")
	}
}
