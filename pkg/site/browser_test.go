package site_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/meshc-dev/meshc/internal/cli"
	"github.com/meshc-dev/meshc/internal/meshgen"
	"github.com/meshc-dev/meshc/pkg/site"
)

// The browser tests drive Debian's headless Chromium. Where it is missing
// they skip, unless CI is set: CI installs it (.ci/run), so there a missing
// browser is a failure, never a silent skip.

func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("no chromium on PATH: CI must run the browser tests (.ci/run installs Debian's chromium)")
	}
	t.Skip("no chromium on PATH; install Debian's chromium to run the browser tests")
	return ""
}

// browser is one headless Chromium tab and what it did: every request,
// dialog, exception and log entry (CSP violations are logged).
type browser struct {
	ctx context.Context
	t   *testing.T

	mu         sync.Mutex
	requests   []string
	dialogs    []string
	exceptions []string
	logs       []string
}

func newBrowser(t *testing.T) *browser {
	t.Helper()
	exe := chromium(t)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	actx, acancel := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox, // as root
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	t.Cleanup(acancel)
	bctx, bcancel := chromedp.NewContext(actx)
	t.Cleanup(bcancel)
	b := &browser{ctx: bctx, t: t}
	if err := chromedp.Listen(bctx, b.record); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(bctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(bctx, cdplog.Enable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	return b
}

func (b *browser) record(ev any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch e := ev.(type) {
	case *network.EventRequestWillBeSent:
		b.requests = append(b.requests, e.Request.URL)
	case *page.EventJavascriptDialogOpening:
		b.dialogs = append(b.dialogs, e.Message)
	case *runtime.EventExceptionThrown:
		b.exceptions = append(b.exceptions, e.ExceptionDetails.Text)
	case *cdplog.EventEntryAdded:
		b.logs = append(b.logs, string(e.Entry.Source)+": "+e.Entry.Text)
	}
}

func (b *browser) do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.t.Fatal(err)
	}
}

func eval[T any](b *browser, js string) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](js))
	if err != nil {
		b.t.Fatalf("%s: %v", js, err)
	}
	return v
}

// visible returns the ids of the index's products that are shown.
func (b *browser) visible() []string {
	b.t.Helper()
	return eval[[]string](b, `[...document.querySelectorAll("#results > li")].map(li => li.dataset.id)`)
}

// search types q into the search box, as a user does, after clearing it,
// and waits until the list answers the whole query.
func (b *browser) search(q string) {
	b.t.Helper()
	b.change(`(i => { i.value = ""; i.dispatchEvent(new Event("input")); })(document.querySelector("input[name=q]"))`)
	if q != "" {
		b.do(chromedp.SendKeys(chromedp.CSS(`input[name=q]`), q),
			chromedp.Poll[chromedp.Void](`document.body.dataset.query === `+jsString(q)))
	}
}

// filter picks value in the select named name and waits for the list.
func (b *browser) filter(name, value string) {
	b.t.Helper()
	b.change(`(s => { s.value = ` + jsString(value) + `; s.dispatchEvent(new Event("change")); })(document.querySelector("select[name=` + name + `]"))`)
}

// change runs js, which changes the search form, and waits until the list
// has answered it.
func (b *browser) change(js string) {
	b.t.Helper()
	before := eval[string](b, `document.body.dataset.applied || "0"`)
	b.do(chromedp.Evaluate[chromedp.Void](js),
		chromedp.Poll[chromedp.Void](`(document.body.dataset.applied || "0") !== `+jsString(before), chromedp.WithPollingTimeout(20*time.Second)))
}

func jsString(s string) string { return fmt.Sprintf("%q", s) }

// screenshot saves the page as an artifact to look at, not a golden:
// into $MESHC_ARTIFACTS when set, else the test's temporary directory.
func (b *browser) screenshot(name string, full bool) {
	b.t.Helper()
	shot := chromedp.CaptureScreenshot() // the viewport
	if full {
		shot = chromedp.FullScreenshot(100) // 100: a PNG
	}
	png, err := chromedp.Run(b.ctx, shot)
	if err != nil {
		b.t.Fatal(err)
	}
	dir := os.Getenv("MESHC_ARTIFACTS")
	if dir == "" {
		dir = b.t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("screenshot: %s", path)
}

// checkClean fails on any request that is not under prefix, any dialog,
// exception or CSP violation, and checks that no planted payload ran.
func (b *browser) checkClean(prefix string) {
	b.t.Helper()
	if pwned := eval[bool](b, `window.__pwned !== undefined`); pwned {
		b.t.Error("a planted payload ran: window.__pwned is set")
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.requests) == 0 {
		b.t.Error("the browser made no request: are network events recorded?")
	}
	for _, u := range b.requests {
		if !strings.HasPrefix(u, prefix) {
			b.t.Errorf("request outside the site: %s", u)
		}
	}
	for _, d := range b.dialogs {
		b.t.Errorf("a dialog opened: %q", d)
	}
	for _, e := range b.exceptions {
		b.t.Errorf("script exception: %s", e)
	}
	for _, l := range b.logs {
		b.t.Errorf("browser log: %s", l)
	}
}

// exampleSite applies catalog-example/ into a fresh live catalog and runs
// meshc site on it, as a user does; it returns the site's directory.
func exampleSite(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	ex := filepath.Join(dir, "example")
	if err := os.CopyFS(ex, os.DirFS("../../catalog-example")); err != nil {
		t.Fatal(err)
	}
	os.RemoveAll(filepath.Join(ex, ".meshc"))
	out := filepath.Join(dir, "site")
	cfg := filepath.Join(ex, "mesh.cue")
	events := filepath.Join(dir, "events.ndjson")
	if err := os.WriteFile(events, exampleEvents(time.Now()), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"apply", "--auto-approve", "--config", cfg}, {"usage", "ingest", "--config", cfg, events}, {"site", "--out", out, "--config", cfg}} {
		var stdout, stderr bytes.Buffer
		env := &cli.Env{Stdout: &stdout, Stderr: &stderr, Getenv: func(k string) string {
			return map[string]string{"MESHC_USER": "ada"}[k]
		}}
		if code := cli.Run(context.Background(), args, env); code != 0 {
			t.Fatalf("meshc %s: exit %d\n%s%s", args[0], code, stdout.String(), stderr.String())
		}
	}
	return out
}

// exampleEvents returns OpenLineage run events of the days before now
// that read the example's ports: the declared consumer
// finance.revenue_daily's reads come from a job no product names, as does
// an ad-hoc export's, so both are shadow consumers of orders.orders.
func exampleEvents(now time.Time) []byte {
	var b bytes.Buffer
	for i, job := range []string{"adhoc_export", "adhoc_export", "revenue_daily"} {
		when := now.UTC().AddDate(0, 0, -1-i).Format(time.RFC3339)
		fmt.Fprintf(&b, `{"eventType":"COMPLETE","eventTime":%q,"run":{"runId":"run-%d"},"job":{"namespace":"airflow","name":%q},"inputs":[{"namespace":"bigquery","name":"acme.orders.orders"}],"producer":"https://example.com/airflow"}`+"\n", when, i, job)
	}
	return b.Bytes()
}

func TestBrowserExample(t *testing.T) {
	chromium(t)
	out := exampleSite(t)
	b := newBrowser(t)
	root := "file://" + filepath.ToSlash(out) + "/"

	b.do(chromedp.Navigate(root+"index.html"), chromedp.WaitVisible(chromedp.CSS(`#search`)))
	if n := len(b.visible()); n != 12 {
		t.Fatalf("index shows %d products, want 12", n)
	}
	// A word of titles and descriptions.
	b.search("refund")
	if got, want := b.visible(), []string{"finance.revenue_daily", "payments.refunds"}; !slices.Equal(got, want) {
		t.Errorf("search refund shows %v, want %v", got, want)
	}
	b.screenshot("index-search.png", false)
	// A field name, in no title or description.
	b.search("postal_code")
	if got := b.visible(); !slices.Equal(got, []string{"customers.customer_profiles"}) {
		t.Errorf("search of a field name shows %v", got)
	}
	// A tag, and two words at once.
	b.search("pii customers")
	for _, id := range b.visible() {
		if !strings.HasPrefix(id, "customers.") {
			t.Errorf("search 'pii customers' shows %s", id)
		}
	}
	b.search("")
	b.filter("domain", "payments")
	if got, want := b.visible(), []string{"payments.chargebacks", "payments.payment_transactions", "payments.refunds"}; !slices.Equal(got, want) {
		t.Errorf("domain filter shows %v, want %v", got, want)
	}
	b.filter("status", "draft")
	if got, want := b.visible(), []string{"payments.chargebacks"}; !slices.Equal(got, want) {
		t.Errorf("domain and status filters show %v, want %v", got, want)
	}
	if c := eval[string](b, `document.getElementById("count").textContent`); c != "1 of 12 products" {
		t.Errorf("count says %q", c)
	}
	b.filter("status", "")
	b.filter("domain", "")
	// The scorecards' levels: a badge on each product, and a filter.
	b.filter("level", "bronze")
	if got, want := b.visible(), []string{"customers.customer_accounts_legacy", "finance.revenue_forecast", "marketing.campaign_performance", "payments.chargebacks"}; !slices.Equal(got, want) {
		t.Errorf("level filter shows %v, want %v", got, want)
	}
	if n := eval[int](b, `document.querySelectorAll("#results .badge.level").length`); n != 4 {
		t.Errorf("%d level badges among 4 products", n)
	}
	b.filter("level", "")
	b.screenshot("index.png", true)

	// Open a product from the list.
	b.do(chromedp.Click(chromedp.CSS(`#results li[data-id="customers.customer_profiles"] a.title`)),
		chromedp.WaitVisible(chromedp.CSS(`#consumers`)))
	if loc := eval[string](b, `location.href`); !strings.HasSuffix(loc, "/products/customers.customer_profiles.html") {
		t.Fatalf("the link went to %s", loc)
	}
	consumers := eval[string](b, `document.querySelector("table.consumers").innerText`)
	for _, want := range []string{"marketing.customer_segments", "Marketing analytics", "marketing.campaign_performance", "downstream"} {
		if !strings.Contains(consumers, want) {
			t.Errorf("consumers table lacks %q:\n%s", want, consumers)
		}
	}
	schema := eval[string](b, `document.querySelector("table.schema").innerText`)
	for _, want := range []string{"customer_id", "string", "required"} {
		if !strings.Contains(schema, want) {
			t.Errorf("schema table lacks %q:\n%s", want, schema)
		}
	}
	history := eval[string](b, `document.querySelector("table.history").innerText`)
	if !strings.Contains(history, "create") || !strings.Contains(history, "ada") {
		t.Errorf("history lacks the create by ada:\n%s", history)
	}
	b.screenshot("product.png", true)

	// A product read by jobs no product names: its scorecard fails the
	// no-shadow check, and its usage lists the shadow consumers.
	b.do(chromedp.Navigate(root+"products/orders.orders.html"), chromedp.WaitVisible(chromedp.CSS(`#scorecard`)))
	card := eval[string](b, `document.querySelector("table.scorecard").innerText`)
	for _, want := range []string{"Every observed consumer is declared", "failed", "shadow consumers: job:airflow/adhoc_export, job:airflow/revenue_daily", "An SLO is declared", "passed"} {
		if !strings.Contains(card, want) {
			t.Errorf("scorecard lacks %q:\n%s", want, card)
		}
	}
	if h := eval[string](b, `document.getElementById("scorecard").innerText`); !strings.Contains(h, "90 · gold") {
		t.Errorf("scorecard heading %q", h)
	}
	shadow := eval[[]string](b, `[...document.querySelectorAll("#usage-orders tr.shadow td:first-child")].map(td => td.innerText)`)
	if !slices.Equal(shadow, []string{"job:airflow/adhoc_export", "job:airflow/revenue_daily"}) {
		t.Errorf("shadow consumers of port orders: %v", shadow)
	}
	stale := eval[string](b, `document.querySelector("#usage-orders").innerText`)
	if !strings.Contains(stale, "marketing.customer_segments") || !strings.Contains(stale, "stale") {
		t.Errorf("the declared, unseen consumer is not stale:\n%s", stale)
	}
	b.screenshot("product-scorecard.png", true)
	for _, id := range []string{"scorecard", "usage"} {
		b.do(chromedp.ScrollIntoView(chromedp.CSS(`#` + id)))
		b.screenshot("product-"+id+".png", false)
	}
	b.do(chromedp.Navigate(root+"domains/orders.html"), chromedp.WaitVisible(chromedp.CSS(`main`)))
	if facts := eval[string](b, `document.querySelector("dl.facts").innerText`); !strings.Contains(facts, "mean score 90 over 2 products") {
		t.Errorf("domain roll-up: %q", facts)
	}
	b.screenshot("domain-scores.png", true)
	b.do(chromedp.Navigate(root+"products/customers.customer_profiles.html"), chromedp.WaitVisible(chromedp.CSS(`#lineage`)))

	// Follow a lineage node upstream.
	b.do(chromedp.Click(chromedp.CSS(`svg.lineage a[href$="customers.crm_contacts.html"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#lineage`)))
	if loc := eval[string](b, `location.href`); !strings.HasSuffix(loc, "/products/customers.crm_contacts.html") {
		t.Errorf("the lineage node went to %s", loc)
	}
	// A deprecated product says so, with its sunset and replacement.
	b.do(chromedp.Navigate(root + "products/customers.customer_accounts_legacy.html"))
	banner := eval[string](b, `document.getElementById("lifecycle").innerText`)
	if !strings.Contains(banner, "Deprecated: sunset") || !strings.Contains(banner, "customers.customer_profiles") {
		t.Errorf("deprecation banner %q", banner)
	}
	// The pages of the domains, teams and the mesh's lineage load too.
	for _, p := range []string{"domains/payments.html", "teams/acme-payments.html", "lineage.html", "domains.html", "teams.html"} {
		b.do(chromedp.Navigate(root + p))
		if n := eval[int](b, `document.querySelectorAll("main a").length`); n == 0 {
			t.Errorf("%s links nowhere", p)
		}
	}
	b.checkClean(root)
}

// TestBrowserWithoutJavaScript loads the index with scripts disabled: it
// is still the whole list, and the search form, useless then, stays hidden.
func TestBrowserWithoutJavaScript(t *testing.T) {
	chromium(t)
	m, live := site.PayloadMesh()
	s, err := site.Build(m, site.PayloadOptions(m, live))
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	if err := s.Write(site.Dir(out)); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t)
	if _, err := chromedp.Call(b.ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
		t.Fatal(err)
	}
	b.do(chromedp.Navigate("file://" + filepath.ToSlash(out) + "/index.html"))
	// DevTools still evaluates, though the page's scripts do not run.
	if n := eval[int](b, `document.querySelectorAll("#products > li:not([hidden]) a.title").length`); n != len(m.Products) {
		t.Errorf("without JavaScript the index lists %d products, want %d", n, len(m.Products))
	}
	form, err := chromedp.Run(b.ctx, chromedp.Attributes(chromedp.CSS(`#search`)))
	if err != nil {
		t.Fatal(err)
	}
	if _, hidden := form["hidden"]; !hidden {
		t.Errorf("without JavaScript the search form shows: %v", form)
	}
	body, err := chromedp.Run(b.ctx, chromedp.Attributes(chromedp.CSS(`body`)))
	if err != nil {
		t.Fatal(err)
	}
	if _, ran := body["data-applied"]; ran {
		t.Error("the search script ran with scripts disabled: the test disabled nothing")
	}
}

func TestBrowserPayloads(t *testing.T) {
	chromium(t)
	m, live := site.PayloadMesh()
	s, err := site.Build(m, site.PayloadOptions(m, live))
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	if err := s.Write(site.Dir(out)); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t)
	root := "file://" + filepath.ToSlash(out) + "/"
	for _, p := range s.Paths() {
		if !strings.HasSuffix(p, ".html") {
			continue
		}
		b.do(chromedp.Navigate(root + p))
		if p == "index.html" {
			b.search("<script>")
			if n := len(b.visible()); n != 1 {
				t.Errorf("searching the payload shows %d products, want 1", n)
			}
		}
		// Click every link of the page that stays on it: a javascript:
		// URL would run here.
		b.do(chromedp.Evaluate[chromedp.Void](`document.querySelectorAll("a[href]").forEach(a => {
			const p = new URL(a.getAttribute("href"), location.href).protocol;
			if (p !== "file:" && p !== "mailto:") a.dispatchEvent(new MouseEvent("click", {bubbles: true, cancelable: true}));
		})`))
		if n := eval[int](b, `document.querySelectorAll("a[href]").length`); n == 0 {
			t.Errorf("%s has no links", p)
		}
	}
	b.checkClean(root)
}

// TestBrowserServed loads the site as meshc serve serves it, over HTTP: the
// same pages, with the policy also as a header.
func TestBrowserServed(t *testing.T) {
	chromium(t)
	m, live := site.PayloadMesh()
	s, err := site.Build(m, site.PayloadOptions(m, live))
	if err != nil {
		t.Fatal(err)
	}
	h := &site.Handler{}
	h.Set(s)
	srv := httptest.NewServer(h)
	defer srv.Close()
	b := newBrowser(t)
	b.do(chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(chromedp.CSS(`#search`)))
	b.search("reader")
	if got := b.visible(); !slices.Equal(got, []string{"plain.reader"}) {
		t.Errorf("search shows %v", got)
	}
	b.do(chromedp.Click(chromedp.CSS(`#results li[data-id="plain.reader"] a.title`)), chromedp.WaitVisible(chromedp.CSS(`#consumers`)))
	b.checkClean(srv.URL + "/")
}

// TestBrowserSearch10k measures search as you type over the index of a
// 10,000-product mesh; it builds the whole site, so it runs only with
// MESHC_SITE_10K=1. It logs how long each keystroke's search took.
func TestBrowserSearch10k(t *testing.T) {
	if os.Getenv("MESHC_SITE_10K") == "" {
		t.Skip("set MESHC_SITE_10K=1 to measure search over 10,000 products")
	}
	chromium(t)
	m := meshgen.Mesh(meshgen.Options{Domains: 200, ProductsPerDomain: 50, Seed: 1})
	start := time.Now()
	s, err := site.Build(m, site.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("built %d files, %.1f MB, in %s", len(s.Paths()), float64(s.Size())/(1<<20), time.Since(start).Round(time.Millisecond))
	out := t.TempDir()
	index, _ := s.File("index.html")
	css, _ := s.File("assets/site.css")
	if err := site.Dir(out).WriteFile("index.html", index); err != nil {
		t.Fatal(err)
	}
	site.Dir(out).WriteFile("assets/site.css", css)
	b := newBrowser(t)
	root := "file://" + filepath.ToSlash(out) + "/"
	start = time.Now()
	b.do(chromedp.Navigate(root+"index.html"), chromedp.WaitVisible(chromedp.CSS(`#search`)),
		chromedp.Poll[chromedp.Void](`document.body.hasAttribute("data-shown")`))
	t.Logf("index (%.1f MB) loaded and indexed in %s (in the page: %s ms to load, first search %s ms)", float64(len(index))/(1<<20), time.Since(start).Round(time.Millisecond),
		eval[string](b, `String(Math.round(performance.getEntriesByType("navigation")[0].loadEventEnd))`), eval[string](b, `document.body.dataset.searchMs`))
	q := ""
	for _, c := range "customer email" {
		q += string(c)
		b.search(q)
		b.do(chromedp.Poll[chromedp.Void](`document.body.dataset.painted === ` + jsString(q)))
		ms := eval[[]string](b, `[document.body.dataset.searchMs, document.body.dataset.paintMs]`)
		t.Logf("%-16q %5s match, %3d drawn: search %s ms, drawn after %s ms", q, eval[string](b, `document.body.dataset.shown`), len(b.visible()), ms[0], ms[1])
	}
	if n := len(b.visible()); n != 200 {
		t.Errorf("%d products drawn, want the first 200 of the matches", n)
	}
	matches := eval[string](b, `document.body.dataset.shown`)
	b.change(`document.getElementById("more").click()`)
	if n := len(b.visible()); fmt.Sprint(n) != matches {
		t.Errorf("after 'Show all', %d products drawn, want all %s matches", n, matches)
	}
	b.screenshot("index-10k.png", false)
	b.checkClean(root)
}
