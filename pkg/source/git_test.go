package source_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/meshc-dev/meshc/internal/gittest"
	"github.com/meshc-dev/meshc/pkg/config"
	"github.com/meshc-dev/meshc/pkg/diag"
	"github.com/meshc-dev/meshc/pkg/source"
)

// fetcher returns a Git fetcher with a fresh cache, fast retries and no
// credentials.
func fetcher(t *testing.T) (source.Git, *fullLog) {
	t.Helper()
	l := &fullLog{}
	return source.Git{
		CacheDir: t.TempDir(),
		Getenv:   func(string) string { return "" },
		Backoff:  time.Millisecond,
		Log:      l.log,
	}, l
}

func domain(url, ref, path string) *config.Domain {
	return &config.Domain{Name: "orders", Git: url, Ref: ref, Path: path, Pos: diag.Pos{File: "mesh.cue", Line: 3, Column: 2}}
}

func mustFetch(t *testing.T, g source.Git, d *config.Domain) *source.Domain {
	t.Helper()
	sd, err := g.Fetch(context.Background(), d)
	if err != nil {
		t.Fatal(err)
	}
	return sd
}

func read(t *testing.T, d *source.Domain, name string) string {
	t.Helper()
	b, err := fs.ReadFile(d.FS, name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func version(n int) map[string]string {
	return map[string]string{"mesh/orders.cue": fmt.Sprintf("package orders\n\n// v%d\n", n)}
}

// wantErr checks that err is one line naming the domain, URL and ref,
// and holding each of the fragments.
func wantErr(t *testing.T, err error, url, ref string, fragments ...string) {
	t.Helper()
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	if strings.Contains(msg, "\n") {
		t.Errorf("error is not one line: %q", msg)
	}
	for _, f := range append([]string{"mesh.cue:3:2: domain orders:", url, ref}, fragments...) {
		if !strings.Contains(msg, f) {
			t.Errorf("error %q does not contain %q", msg, f)
		}
	}
}

func TestGitBranch(t *testing.T) {
	r := gittest.New(t)
	sha := r.Commit("v1", version(1))
	g, l := fetcher(t)
	d := mustFetch(t, g, domain(r.URL(), "main", "./mesh/"))
	if got := read(t, d, "orders.cue"); got != version(1)["mesh/orders.cue"] {
		t.Errorf("orders.cue = %q", got)
	}
	if d.Name != "orders" || d.Dir != "mesh" || d.Source.Commit != sha || d.Source.Git != r.URL() || d.Source.Ref != "main" || d.Source.Path != "mesh" {
		t.Errorf("domain = %+v", d)
	}
	if n := l.count("git: cloning"); n != 1 {
		t.Errorf("%d clones; want 1", n)
	}
	if _, err := os.Stat(filepath.Join(g.RepoDir(r.URL()), "shallow")); err != nil {
		t.Errorf("the clone is not shallow: %v", err)
	}

	// The repository's root, and the default branch when no ref is given.
	d = mustFetch(t, g, domain(r.URL(), "", ""))
	if d.Dir != "." || d.Source.Path != "" || d.Source.Commit != sha {
		t.Errorf("root domain = %+v", d)
	}
	if _, err := fs.Stat(d.FS, "mesh/orders.cue"); err != nil {
		t.Error(err)
	}
}

func TestGitLocalPath(t *testing.T) {
	r := gittest.New(t)
	sha := r.Commit("v1", version(1))
	g, _ := fetcher(t)
	g.Root = filepath.Dir(r.Dir)
	rel := filepath.Base(r.Dir)
	d := mustFetch(t, g, domain(rel, "main", "mesh"))
	if d.Source.Commit != sha || d.Source.Git != rel {
		t.Errorf("domain = %+v", d)
	}
	if g.RepoDir(rel) != g.RepoDir(r.Dir) {
		t.Errorf("a relative path and its absolute form are cached apart: %s, %s", g.RepoDir(rel), g.RepoDir(r.Dir))
	}
}

func TestGitTagsArePinned(t *testing.T) {
	r := gittest.New(t)
	v1 := r.Commit("v1", version(1))
	r.AnnotatedTag("v1.0.0", v1, "first release")
	r.Tag("light", v1)
	g, _ := fetcher(t)
	for _, tag := range []string{"v1.0.0", "light", "tags/v1.0.0", "refs/tags/light"} {
		d := mustFetch(t, g, domain(r.URL(), tag, "mesh"))
		if d.Source.Commit != v1 || d.Source.Ref != tag {
			t.Errorf("%s: commit %s; want %s (annotated tags peeled)", tag, d.Source.Commit, v1)
		}
	}
	r.Commit("v2", version(2))
	mustFetch(t, g, domain(r.URL(), "main", "mesh"))
	for _, tag := range []string{"v1.0.0", "light"} {
		source.ForgetRepos()
		d := mustFetch(t, g, domain(r.URL(), tag, "mesh"))
		if d.Source.Commit != v1 || read(t, d, "orders.cue") != version(1)["mesh/orders.cue"] {
			t.Errorf("%s moved with the branch: commit %s", tag, d.Source.Commit)
		}
	}
}

func TestGitCommit(t *testing.T) {
	r := gittest.New(t)
	v1 := r.Commit("v1", version(1))
	v2 := r.Commit("v2", version(2))
	r.Commit("v3", version(3))
	g, l := fetcher(t)

	// A shallow clone of main first: the older commit is not in it, and
	// its history must be deepened to find it.
	mustFetch(t, g, domain(r.URL(), "main", "mesh"))
	d := mustFetch(t, g, domain(r.URL(), v2, "mesh"))
	if d.Source.Commit != v2 || read(t, d, "orders.cue") != version(2)["mesh/orders.cue"] {
		t.Errorf("commit %s: got %s, %q", v2, d.Source.Commit, read(t, d, "orders.cue"))
	}
	// In a fresh cache, with an upper-case SHA.
	g2, _ := fetcher(t)
	d = mustFetch(t, g2, domain(r.URL(), strings.ToUpper(v1), "mesh"))
	if d.Source.Commit != v1 || read(t, d, "orders.cue") != version(1)["mesh/orders.cue"] {
		t.Errorf("commit %s: got %s", v1, d.Source.Commit)
	}

	// A cached commit needs no network: the repository may be gone.
	if err := os.RemoveAll(r.Dir); err != nil {
		t.Fatal(err)
	}
	source.ForgetRepos()
	l.reset()
	d = mustFetch(t, g, domain(r.URL(), v2, "mesh"))
	if d.Source.Commit != v2 || l.count("git: commit cached") != 1 {
		t.Errorf("cached commit: got %s, logs:\n%s", d.Source.Commit, l)
	}
}

func TestGitMissingCommit(t *testing.T) {
	r := gittest.New(t)
	r.Commit("v1", version(1))
	g, _ := fetcher(t)
	missing := strings.Repeat("ab", 20)
	_, err := g.Fetch(context.Background(), domain(r.URL(), missing, "mesh"))
	wantErr(t, err, r.URL(), missing, "not found")

	_, err = g.Fetch(context.Background(), domain(r.URL(), "abc1234", "mesh"))
	wantErr(t, err, r.URL(), "ref abc1234 not found", "full 40-character SHA", "it has branches main and no tags")
}

func TestGitIncrementalFetch(t *testing.T) {
	remote := gittest.NewBare(t)
	work := gittest.New(t)
	v1 := work.Commit("v1", version(1))
	work.Push(remote)
	g, l := fetcher(t)
	d := mustFetch(t, g, domain(remote.URL(), "main", "mesh"))
	if d.Source.Commit != v1 {
		t.Fatalf("commit %s; want %s", d.Source.Commit, v1)
	}
	cache := g.RepoDir(remote.URL())
	if !strings.HasPrefix(cache, g.CacheDir+string(filepath.Separator)) || !strings.HasSuffix(cache, "-"+filepath.Base(remote.Dir)) {
		t.Errorf("cache repo %s: want CacheDir/<hash>-<name>", cache)
	}
	marker := filepath.Join(cache, "meshc-test-marker")
	if err := os.WriteFile(marker, nil, 0o644); err != nil {
		t.Fatal(err)
	}

	v2 := work.Commit("v2", version(2))
	work.Push(remote)
	// As a new meshc run would: the clone is opened from disk.
	source.ForgetRepos()
	l.reset()
	d = mustFetch(t, g, domain(remote.URL(), "main", "mesh"))
	if d.Source.Commit != v2 || read(t, d, "orders.cue") != version(2)["mesh/orders.cue"] {
		t.Errorf("second fetch: commit %s; want %s", d.Source.Commit, v2)
	}
	if l.count("git: cloning") != 0 || l.count("git: fetching") != 1 {
		t.Errorf("second fetch was not an incremental fetch:\n%s", l)
	}
	if _, err := os.Stat(marker); err != nil {
		t.Errorf("the clone was replaced: %v", err)
	}
	entries, err := os.ReadDir(g.CacheDir)
	if err != nil || len(entries) != 1 {
		t.Errorf("cache holds %v (%v); want one clone", entries, err)
	}

	// Nothing new: no download at all.
	l.reset()
	mustFetch(t, g, domain(remote.URL(), "main", "mesh"))
	if l.count("git: up to date") != 1 || l.count("git: fetching") != 0 {
		t.Errorf("unchanged branch was fetched again:\n%s", l)
	}
}

func TestGitForcePushedBranch(t *testing.T) {
	remote := gittest.NewBare(t)
	work := gittest.New(t)
	v1 := work.Commit("v1", version(1))
	v2 := work.Commit("v2", version(2))
	work.Push(remote)
	g, _ := fetcher(t)
	if d := mustFetch(t, g, domain(remote.URL(), "main", "mesh")); d.Source.Commit != v2 {
		t.Fatalf("commit %s; want %s", d.Source.Commit, v2)
	}

	// Rewritten history: v2 is gone from the branch.
	work.Reset(v1)
	v3 := work.Commit("v3", version(3))
	work.Push(remote)
	d := mustFetch(t, g, domain(remote.URL(), "main", "mesh"))
	if d.Source.Commit != v3 || read(t, d, "orders.cue") != version(3)["mesh/orders.cue"] {
		t.Errorf("after force push: commit %s; want %s", d.Source.Commit, v3)
	}

	// Back to a commit the cache already has.
	work.Reset(v2)
	work.Push(remote)
	d = mustFetch(t, g, domain(remote.URL(), "main", "mesh"))
	if d.Source.Commit != v2 || read(t, d, "orders.cue") != version(2)["mesh/orders.cue"] {
		t.Errorf("after reset to a cached commit: commit %s; want %s", d.Source.Commit, v2)
	}
}

func TestGitDeletedRef(t *testing.T) {
	r := gittest.New(t)
	r.Commit("v1", version(1))
	r.Tag("v1.0.0", "HEAD")
	r.Tag("v1.10.0", "HEAD")
	r.Tag("v1.9.0", "HEAD")
	r.Checkout("dev")
	r.Commit("dev", version(2))
	r.Checkout("main")
	g, l := fetcher(t)
	mustFetch(t, g, domain(r.URL(), "dev", "mesh"))

	r.DeleteRef("refs/heads/dev")
	l.reset()
	_, err := g.Fetch(context.Background(), domain(r.URL(), "dev", "mesh"))
	wantErr(t, err, r.URL(), "ref dev not found in "+r.URL()+": it has branches main and tags v1.10.0, v1.9.0, v1.0.0")
	if n := l.count("git: retrying"); n != 0 {
		t.Errorf("a missing ref was retried %d times", n)
	}
}

func TestGitMissingPath(t *testing.T) {
	r := gittest.New(t)
	sha := r.Commit("v1", version(1))
	g, _ := fetcher(t)
	_, err := g.Fetch(context.Background(), domain(r.URL(), "main", "domains/orders"))
	wantErr(t, err, r.URL(), "main", "path domains/orders not found", sha[:12])

	_, err = g.Fetch(context.Background(), domain(r.URL(), "main", "mesh2"))
	wantErr(t, err, r.URL(), "main", "path mesh2 not found", "it has mesh")

	for _, p := range []string{"../elsewhere", "/mesh"} {
		_, err = g.Fetch(context.Background(), domain(r.URL(), "main", p))
		wantErr(t, err, "", "", p)
	}
}

func TestGitUnreachable(t *testing.T) {
	closed := gittest.ClosedURL(t)
	tests := []struct {
		url       string
		retries   int // retries expected
		fragments []string
	}{
		// A missing repository is not worth retrying.
		{"file:///nonexistent/orders.git", 0, []string{"repository file:///nonexistent/orders.git not found (ref main)"}},
		{closed, source.DefaultRetries, []string{"cannot reach " + closed + " (ref main) after 4 attempts", "connection refused"}},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			g, l := fetcher(t)
			_, err := g.Fetch(context.Background(), domain(tt.url, "main", "mesh"))
			wantErr(t, err, tt.url, "main", tt.fragments...)
			if n := l.count("git: retrying"); n != tt.retries {
				t.Errorf("retried %d times; want %d", n, tt.retries)
			}
		})
	}

	// No retries at all when asked.
	g, l := fetcher(t)
	g.Retries = -1
	_, err := g.Fetch(context.Background(), domain(closed, "main", "mesh"))
	wantErr(t, err, closed, "main", "after 1 attempts")
	if n := l.count("git: retrying"); n != 0 {
		t.Errorf("retried %d times; want none", n)
	}
}

func TestGitCancelled(t *testing.T) {
	g, _ := fetcher(t)
	g.Backoff = time.Hour // only cancellation can end the wait
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	g.Log = func(msg string, args ...any) {
		if msg == "git: retrying" {
			cancel()
		}
	}
	url := gittest.ClosedURL(t)
	_, err := g.Fetch(ctx, domain(url, "main", "mesh"))
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v; want context.Canceled", err)
	}
	wantErr(t, err, url, "main")

	// Cancelled before it starts.
	_, err = g.Fetch(ctx, domain(url, "main", "mesh"))
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v; want context.Canceled", err)
	}
	domains, failed := source.FetchEach(ctx, &config.Config{Domains: map[string]*config.Domain{"orders": domain(url, "main", "")}}, source.Options{CacheDir: t.TempDir()})
	if len(domains) != 0 || !errors.Is(failed["orders"], context.Canceled) {
		t.Errorf("FetchEach after cancel: %v, %v", domains, failed)
	}
}

func TestGitDaemon(t *testing.T) {
	r := gittest.New(t)
	v1 := r.Commit("v1", version(1))
	r.AnnotatedTag("v1.0.0", v1, "first")
	v2 := r.Commit("v2", version(2))
	base := filepath.Dir(r.Dir)
	daemon := gittest.StartDaemon(t, base)
	url := daemon.RepoURL(t, base, r)
	g, _ := fetcher(t)
	for ref, want := range map[string]string{"main": v2, "v1.0.0": v1, v1: v1} {
		d := mustFetch(t, g, domain(url, ref, "mesh"))
		if d.Source.Commit != want {
			t.Errorf("%s: commit %s; want %s", ref, d.Source.Commit, want)
		}
	}
	v3 := r.Commit("v3", version(3))
	if d := mustFetch(t, g, domain(url, "main", "mesh")); d.Source.Commit != v3 {
		t.Errorf("after a new commit: %s; want %s", d.Source.Commit, v3)
	}
	_, err := g.Fetch(context.Background(), domain(daemon.URL+"/no-such-repo", "main", "mesh"))
	wantErr(t, err, daemon.URL+"/no-such-repo", "main", "not found")
}
