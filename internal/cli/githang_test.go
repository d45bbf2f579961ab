package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/meshc-dev/meshc/internal/gittest"
	"github.com/meshc-dev/meshc/pkg/source"
)

// hungExample is the example mesh with orders in a git repository at url.
func hungExample(t *testing.T, url string) string {
	t.Helper()
	cfg := example(t)
	b, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	s := strings.Replace(string(b), `orders: {path: "./domains/orders"}`, `orders: {git: "`+url+`", ref: "main"}`, 1)
	if s == string(b) {
		t.Fatal("the example's mesh.cue has no orders line to replace")
	}
	if err := os.WriteFile(cfg, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// SIGTERM stops reconcile --watch at once even while a remote that never
// answers holds a cycle's fetch: the fetch is cancelled, the cycle logged
// as cancelled, and the service exits 0.
func TestReconcileWatchStopsWhileFetchHangs(t *testing.T) {
	h := gittest.StartHung(t)
	for _, url := range []string{"git://" + h.Addr + "/orders.git", "http://" + h.Addr + "/orders.git"} {
		t.Run(url, func(t *testing.T) {
			cfg := hungExample(t, url)
			var logs syncBuffer
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			done := make(chan int, 1)
			go func() {
				done <- Run(ctx, []string{"reconcile", "--config", cfg, "--cache-dir", t.TempDir(), "--watch", "--interval", "1h", "--apply", "--log-format", "json"},
					&Env{Stdout: &logs, Stderr: &logs, Getenv: func(string) string { return "" }})
			}()
			// The fetch is announced once it has taken a second.
			deadline := time.After(time.Minute)
			for !strings.Contains(logs.String(), `"msg":"fetching domain"`) {
				select {
				case code := <-done:
					t.Fatalf("service exited %d while fetching:\n%s", code, logs.String())
				case <-deadline:
					t.Fatalf("no fetch logged within a minute:\n%s", logs.String())
				case <-time.After(10 * time.Millisecond):
				}
			}
			cancel()
			select {
			case code := <-done:
				if code != ExitOK {
					t.Errorf("exit %d, want 0", code)
				}
			case <-time.After(10 * time.Second):
				t.Fatalf("the service did not stop within 10s of its cancellation:\n%s", logs.String())
			}
			var fetching map[string]any
			var msgs []string
			for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
				var rec map[string]any
				if err := json.Unmarshal([]byte(line), &rec); err != nil {
					t.Fatalf("log line is not JSON: %q", line)
				}
				msgs = append(msgs, rec["msg"].(string))
				if rec["msg"] == "fetching domain" {
					fetching = rec
				}
			}
			if fetching["domain"] != "orders" || fetching["url"] != url || fetching["ref"] != "main" {
				t.Errorf("fetch record %v; want orders at %s, ref main", fetching, url)
			}
			want := []string{"reconcile service started", "fetching domain", "reconcile cycle cancelled", "reconcile service stopping"}
			if strings.Join(msgs, "|") != strings.Join(want, "|") {
				t.Errorf("records %q; want %q", msgs, want)
			}
		})
	}
}

// A remote that never answers fails validate within --git-timeout, exit
// 3, naming the domain, the URL and what to do.
func TestValidateHungRemote(t *testing.T) {
	h := gittest.StartHung(t)
	url := "http://" + h.Addr + "/orders.git"
	cfg := hungExample(t, url)
	var out bytes.Buffer
	code := Run(context.Background(), []string{"validate", "--config", cfg, "--cache-dir", t.TempDir(), "--git-timeout", "300ms"},
		&Env{Stdout: &out, Stderr: &out, Getenv: func(string) string { return "" }})
	if code != ExitFailure {
		t.Errorf("exit %d, want 3", code)
	}
	want := "domain orders: no answer from " + url + " (ref main) within 300ms: check that the remote is up and reachable from here, or raise --git-timeout"
	if !strings.Contains(out.String(), want) {
		t.Errorf("output %q lacks %q", out.String(), want)
	}

	code = Run(context.Background(), []string{"validate", "--config", cfg, "--git-timeout", "0s"}, &Env{Stdout: &out, Stderr: &out})
	if code != ExitFailure || !strings.Contains(out.String(), "--git-timeout must be positive") {
		t.Errorf("--git-timeout 0s: exit %d, %q", code, out.String())
	}
}

// The notices of git fetches: a slow fetch on a terminal only, a cached
// clone cloned again always; records in --watch.
func TestGitNotify(t *testing.T) {
	slow := source.Event{Kind: source.EventSlow, Domain: "orders", URL: "https://git.example/orders", Ref: "main", Elapsed: time.Second}
	healed := source.Event{Kind: source.EventRecloned, Domain: "orders", URL: "https://git.example/orders", Ref: "main", Detail: "pack-1.pack is cut short"}
	for _, tt := range []struct {
		terminal bool
		want     string
	}{
		{true, "meshc: fetching domain orders from https://git.example/orders (ref main)...\nmeshc: the cached clone of https://git.example/orders was unreadable (pack-1.pack is cut short); cloned it again\n"},
		{false, "meshc: the cached clone of https://git.example/orders was unreadable (pack-1.pack is cut short); cloned it again\n"},
	} {
		var out bytes.Buffer
		e := &Env{Stderr: &out, StderrTerminal: tt.terminal}
		n := e.gitNotify(nil)
		n(slow)
		n(healed)
		if out.String() != tt.want {
			t.Errorf("terminal %v: stderr\n%s\nwant\n%s", tt.terminal, out.String(), tt.want)
		}
	}
	var out bytes.Buffer
	log := slog.New(slog.NewTextHandler(&out, &slog.HandlerOptions{ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey {
			return slog.Attr{}
		}
		return a
	}}))
	n := (&Env{Stderr: &out}).gitNotify(log)
	n(slow)
	n(healed)
	want := `level=INFO msg="fetching domain" domain=orders url=https://git.example/orders ref=main elapsed_ms=1000
level=WARN msg="cached clone unreadable, cloned again" domain=orders url=https://git.example/orders error="pack-1.pack is cut short"
`
	if out.String() != want {
		t.Errorf("records\n%s\nwant\n%s", out.String(), want)
	}
}
