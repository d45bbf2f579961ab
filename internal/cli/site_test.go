package cli

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestServeRebuilds runs meshc serve on the example and changes what it
// is built from: a domain's file, then the live catalog (an apply). Each
// change shows in the served pages; cancelling the context (SIGTERM) stops
// it with exit 0.
func TestServeRebuilds(t *testing.T) {
	cfg, base, done, logs, cancel := startServe(t)
	defer cancel()

	page := base + "products/orders.orders.html"
	body, header := get(t, page)
	if !strings.Contains(body, "Orders") || !strings.Contains(header.Get("Content-Security-Policy"), "default-src 'none'") {
		t.Fatalf("first page: CSP %q\n%s", header.Get("Content-Security-Policy"), body)
	}

	// A domain's file changes: the page shows it.
	file := filepath.Join(filepath.Dir(cfg), "domains/orders/orders.cue")
	src, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	old := "one row per order"
	if !strings.Contains(string(src), old) {
		t.Fatalf("%s lacks %q", file, old)
	}
	if err := os.WriteFile(file, []byte(strings.Replace(string(src), old, "one row per order, served live", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the edited description", func() bool {
		b, _ := get(t, page)
		return strings.Contains(b, "served live")
	}, done, logs)

	// The live catalog changes: the history shows the new serial.
	if code, out := run("apply", "--auto-approve", "--config", cfg); code != 0 {
		t.Fatalf("second apply: %d\n%s", code, out)
	}
	waitFor(t, "the second apply in the history", func() bool {
		b, _ := get(t, page)
		return strings.Contains(b, "<tr><td>2</td>")
	}, done, logs)

	cancel()
	select {
	case code := <-done:
		if code != ExitOK || !strings.Contains(logs.String(), "stopped") {
			t.Errorf("exit %d, want 0 and a stop line:\n%s", code, logs.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop when its context ended")
	}
}

// startServe applies a copy of the example and runs meshc serve on it, on
// a free port, looking for changes every 20ms, until cancel; it returns
// its mesh.cue, the site's base URL, the channel of its exit code and its
// log.
func startServe(t *testing.T) (cfg, base string, done <-chan int, logs *syncBuffer, cancel func()) {
	t.Helper()
	cfg = example(t)
	if code, out := run("apply", "--auto-approve", "--config", cfg); code != 0 {
		t.Fatalf("apply: %d\n%s", code, out)
	}
	logs = &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	exit := make(chan int, 1)
	go func() {
		exit <- Run(ctx, []string{"serve", "--config", cfg, "--addr", "127.0.0.1:0", "--interval", "20ms"},
			&Env{Stdout: logs, Stderr: logs, Getenv: func(string) string { return "" }})
	}()
	addr := regexp.MustCompile(`serving the catalog on (http://[^/]+/)`)
	waitFor(t, "the server to start", func() bool {
		if m := addr.FindStringSubmatch(logs.String()); m != nil {
			base = m[1]
			return true
		}
		return false
	}, exit, logs)
	return cfg, base, exit, logs, cancel
}

func get(t *testing.T, url string) (string, http.Header) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	return string(b), resp.Header
}

// waitFor polls cond until it holds, failing after a bound (a wait, not a
// timing assertion: on a loaded machine it may take long) or when serve
// exits early.
func waitFor(t *testing.T, what string, cond func() bool, done <-chan int, logs *syncBuffer) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		select {
		case code := <-done:
			t.Fatalf("serve exited %d while waiting for %s:\n%s", code, what, logs.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s after 60s:\n%s", what, logs.String())
		}
	}
}

// TestServeIngestsLineage runs meshc serve on the example, POSTs
// OpenLineage run events to /api/v1/lineage as the HTTP transport does,
// and finds the consumers they show on the next build of the product
// page: a job no product claims as a shadow consumer; after an apply that
// names the job of a product, that product, declared.
func TestServeIngestsLineage(t *testing.T) {
	cfg, base, done, logs, cancel := startServe(t)
	defer cancel()
	page := base + "products/orders.orders.html"
	lineage := base + "api/v1/lineage"
	body, _ := get(t, page)
	if !strings.Contains(body, `id="scorecard"`) || !strings.Contains(body, `id="usage"`) {
		t.Fatalf("the product page has no scorecard or usage section:\n%s", body)
	}
	if strings.Contains(body, "adhoc_export") {
		t.Fatal("the job shows before any event was posted")
	}

	when := time.Now().UTC().Add(-time.Hour).Format(time.RFC3339)
	event := func(run, job string) string {
		return fmt.Sprintf(`{"eventType": "COMPLETE", "eventTime": %q, "run": {"runId": %q},
  "job": {"namespace": "airflow", "name": %q},
  "inputs": [{"namespace": "bigquery", "name": "acme.orders.orders"}],
  "producer": "https://github.com/OpenLineage/OpenLineage/tree/1.0.0/client/python"}`, when, run, job)
	}
	if code, resp := post(t, lineage, event("r1", "adhoc_export")); code != http.StatusOK || !strings.Contains(resp, `"added":1`) {
		t.Fatalf("POST: %d %s", code, resp)
	}
	shadow := regexp.MustCompile(`<tr class="shadow"><td><code>job:airflow/adhoc_export</code></td><td></td><td>1</td><td>1</td><td>0</td><td>\d{4}-\d\d-\d\d</td><td><span class="badge shadow">shadow</span>`)
	waitFor(t, "the posted job as a shadow consumer", func() bool {
		b, _ := get(t, page)
		return shadow.MatchString(b)
	}, done, logs)

	// The site stays GET and HEAD only; the endpoint POST only.
	if code, _ := post(t, base+"index.html", event("r2", "x")); code != http.StatusMethodNotAllowed {
		t.Errorf("POST to a page: %d, want 405", code)
	}
	if resp, err := http.Get(lineage); err != nil || resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET %s: %v %v, want 405", lineage, resp.Status, err)
	}

	// An apply names the job of a product: the endpoint, rebuilt with the
	// live catalog, resolves it to that product.
	jobs := filepath.Join(filepath.Dir(cfg), "domains/customers/jobs.cue")
	if err := os.WriteFile(jobs, []byte("package customers\n\nproducts: customer_profiles: jobs: [{namespace: \"airflow\", name: \"profiles_build\"}]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out := run("apply", "--auto-approve", "--config", cfg); code != 0 {
		t.Fatalf("second apply: %d\n%s", code, out)
	}
	waitFor(t, "the second apply in the history", func() bool {
		b, _ := get(t, page)
		return strings.Contains(b, "live catalog at serial 2)")
	}, done, logs)
	if code, resp := post(t, lineage, event("r3", "profiles_build")); code != http.StatusOK || !strings.Contains(resp, `"added":1`) {
		t.Fatalf("POST after the apply: %d %s", code, resp)
	}
	waitFor(t, "the product the job reads for", func() bool {
		b, _ := get(t, page)
		return strings.Contains(b, `<a href="../products/customers.customer_profiles.html">customers.customer_profiles</a></td><td><a href="../teams/acme-customers.html">Customer data team</a></td><td>1</td>`)
	}, done, logs)
	cancel()
	<-done
}

func post(t *testing.T, url, body string) (int, string) {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestSiteNeedsOut(t *testing.T) {
	cfg := example(t)
	if code, out := run("site", "--config", cfg); code != ExitFailure || !strings.Contains(out, "--out DIR") {
		t.Errorf("site without --out: exit %d\n%s", code, out)
	}
}
