package cli

import (
	"context"
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
	cfg := example(t)
	if code, out := run("apply", "--auto-approve", "--config", cfg); code != 0 {
		t.Fatalf("apply: %d\n%s", code, out)
	}
	var logs syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	go func() {
		done <- Run(ctx, []string{"serve", "--config", cfg, "--addr", "127.0.0.1:0", "--interval", "20ms"},
			&Env{Stdout: &logs, Stderr: &logs, Getenv: func(string) string { return "" }})
	}()
	addr := regexp.MustCompile(`serving the catalog on (http://[^/]+/)`)
	var base string
	waitFor(t, "the server to start", func() bool {
		if m := addr.FindStringSubmatch(logs.String()); m != nil {
			base = m[1]
			return true
		}
		return false
	}, done, &logs)

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
	}, done, &logs)

	// The live catalog changes: the history shows the new serial.
	if code, out := run("apply", "--auto-approve", "--config", cfg); code != 0 {
		t.Fatalf("second apply: %d\n%s", code, out)
	}
	waitFor(t, "the second apply in the history", func() bool {
		b, _ := get(t, page)
		return strings.Contains(b, "<tr><td>2</td>")
	}, done, &logs)

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

func TestSiteNeedsOut(t *testing.T) {
	cfg := example(t)
	if code, out := run("site", "--config", cfg); code != ExitFailure || !strings.Contains(out, "--out DIR") {
		t.Errorf("site without --out: exit %d\n%s", code, out)
	}
}
