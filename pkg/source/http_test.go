package source_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing/transport"

	"github.com/meshc-dev/meshc/internal/gittest"
	"github.com/meshc-dev/meshc/pkg/config"
	"github.com/meshc-dev/meshc/pkg/source"
)

// These tests fetch over git's smart-HTTP protocol from a real git
// server: git-http-backend behind net/http/cgi, on a loopback port, with
// basic auth in front as a git host has.

const (
	rightToken = "tok-right-3f9a1c"
	wrongToken = "tok-wrong-77d0e2"
)

// httpRemote is a bare repository served over smart HTTPS, with a work
// repository that publishes to it.
type httpRemote struct {
	srv    *gittest.HTTPServer
	bare   *gittest.Repo
	work   *gittest.Repo
	url    string
	v1, v2 string // main's commits; v1.0.0 is an annotated tag at v1
}

// newHTTPRemote serves a repository that needs basic auth
// x-access-token:rightToken over TLS (plain HTTP when plain is set).
func newHTTPRemote(t *testing.T, plain bool) *httpRemote {
	t.Helper()
	gittest.NeedHTTPBackend(t)
	base, bare, work, v1, v2 := servedRepo(t)
	srv := gittest.StartHTTP(t, base, gittest.HTTPOptions{TLS: !plain, User: "x-access-token", Password: rightToken})
	if !plain {
		gittest.TrustTLS(srv.Certificate())
	}
	return &httpRemote{srv: srv, bare: bare, work: work, url: srv.RepoURL(t, bare), v1: v1, v2: v2}
}

// env returns a Getenv that knows only vars (name, value, ...).
func env(vars ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(vars); i += 2 {
		m[vars[i]] = vars[i+1]
	}
	return func(k string) string { return m[k] }
}

// fullLog records what a Git fetcher reports, arguments and all.
type fullLog struct {
	mu    sync.Mutex
	lines []string
	waits []time.Duration
}

func (l *fullLog) log(msg string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	line := msg
	for i := 0; i+1 < len(args); i += 2 {
		line += fmt.Sprintf(" %v=%v", args[i], args[i+1])
		if msg == "git: retrying" && args[i] == "wait" {
			l.waits = append(l.waits, args[i+1].(time.Duration))
		}
	}
	l.lines = append(l.lines, line)
}

func (l *fullLog) count(prefix string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, s := range l.lines {
		if strings.HasPrefix(s, prefix) {
			n++
		}
	}
	return n
}

func (l *fullLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

func (l *fullLog) reset() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines, l.waits = nil, nil
}

// httpFetcher returns a Git fetcher with a fresh cache, fast retries and
// the given environment.
func httpFetcher(t *testing.T, getenv func(string) string) (source.Git, *fullLog) {
	t.Helper()
	l := &fullLog{}
	return source.Git{CacheDir: t.TempDir(), Getenv: getenv, Backoff: time.Millisecond, Log: l.log}, l
}

// statuses lists the statuses the server answered, in order.
func statuses(reqs []gittest.HTTPRequest) []int {
	var s []int
	for _, r := range reqs {
		s = append(s, r.Status)
	}
	return s
}

func TestGitHTTPSToken(t *testing.T) {
	r := newHTTPRemote(t, false)
	g, l := httpFetcher(t, env(source.EnvToken, rightToken))

	checkFetches(t, g, l, r.url, r.v1, r.v2, r.work, r.bare)

	// A commit by SHA that no ref points at any more: git-http-backend
	// serves only advertised refs by default, so every branch and tag is
	// fetched to find it.
	r.work.Reset(r.v2)
	r.work.Push(r.bare)
	g2, l2 := httpFetcher(t, env(source.EnvToken, rightToken))
	d := mustFetch(t, g2, domain(r.url, r.v1, "mesh"))
	if d.Source.Commit != r.v1 || read(t, d, "orders.cue") != version(1)["mesh/orders.cue"] {
		t.Errorf("commit %s: got %s", r.v1, d.Source.Commit)
	}
	if l2.count("git: fetching commit by SHA") != 1 {
		t.Errorf("commit was not asked for by SHA:\n%s", l2)
	}

	for _, req := range r.srv.Requests() {
		if !req.SentAuth || req.User != "x-access-token" || !req.AuthOK {
			t.Errorf("%s %s: auth sent %v, user %q, accepted %v; want x-access-token and the token", req.Method, req.Path, req.SentAuth, req.User, req.AuthOK)
		}
	}
}

func TestGitHTTPSTokenPrecedence(t *testing.T) {
	r := newHTTPRemote(t, false)
	tests := []struct {
		name   string
		getenv func(string) string
		ok     bool
	}{
		{"GITHUB_TOKEN alone", env(source.EnvGitHubToken, rightToken), true},
		{"empty MESHC_GIT_TOKEN is unset", env(source.EnvToken, "", source.EnvGitHubToken, rightToken), true},
		{"MESHC_GIT_TOKEN wins", env(source.EnvToken, rightToken, source.EnvGitHubToken, wrongToken), true},
		{"MESHC_GIT_TOKEN wins even when wrong", env(source.EnvToken, wrongToken, source.EnvGitHubToken, rightToken), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, _ := httpFetcher(t, tt.getenv)
			g.Retries = -1
			d, err := g.Fetch(context.Background(), domain(r.url, "main", "mesh"))
			switch {
			case tt.ok && err != nil:
				t.Fatal(err)
			case tt.ok && d.Source.Commit != r.v2:
				t.Errorf("commit %s; want %s", d.Source.Commit, r.v2)
			case !tt.ok:
				wantErr(t, err, r.url, "main", "authentication failed")
			}
		})
	}

	// The process environment, through source.Fetch and a mesh config.
	t.Run("process environment", func(t *testing.T) {
		t.Setenv(source.EnvToken, "")
		t.Setenv(source.EnvGitHubToken, rightToken)
		cfg := &config.Config{Root: t.TempDir(), Domains: map[string]*config.Domain{
			"orders": {Name: "orders", Git: r.url, Ref: "v1.0.0", Path: "mesh"},
		}}
		domains, err := source.Fetch(context.Background(), cfg, source.Options{CacheDir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		if len(domains) != 1 || domains[0].Source.Commit != r.v1 {
			t.Fatalf("domains = %+v; want orders at %s", domains, r.v1)
		}
		if _, err := fs.Stat(domains[0].FS, "orders.cue"); err != nil {
			t.Error(err)
		}
	})
}

func TestGitHTTPSAuthFailure(t *testing.T) {
	r := newHTTPRemote(t, false)
	refs := []string{"main", strings.Repeat("ab", 20)} // listed, and fetched by SHA
	for _, tt := range []struct {
		name   string
		getenv func(string) string
	}{
		{"wrong token", env(source.EnvToken, wrongToken)},
		{"wrong GITHUB_TOKEN", env(source.EnvGitHubToken, wrongToken)},
		{"no token", env()},
	} {
		for _, ref := range refs {
			t.Run(tt.name+"/"+ref[:4], func(t *testing.T) {
				g, l := httpFetcher(t, tt.getenv)
				// Retries on, so that a retry would show.
				g.Retries = 3
				r.srv.Reset()
				_, err := g.Fetch(context.Background(), domain(r.url, ref, "mesh"))
				wantErr(t, err, r.url, "ref "+ref,
					"authentication failed for "+r.url+" (ref "+ref+"): check MESHC_GIT_TOKEN/GITHUB_TOKEN")
				if !errors.Is(err, transport.ErrAuthenticationRequired) {
					t.Errorf("err = %v; want it to wrap transport.ErrAuthenticationRequired", err)
				}
				if strings.Contains(err.Error(), wrongToken) {
					t.Errorf("error shows the token: %v", err)
				}
				reqs := r.srv.Requests()
				if len(reqs) != 1 || reqs[0].Status != http.StatusUnauthorized {
					t.Errorf("server answered %v; want one 401 (no retries)", statuses(reqs))
				}
				if n := l.count("git: retrying"); n != 0 {
					t.Errorf("an auth failure was retried %d times:\n%s", n, l)
				}
			})
		}
	}
}

func TestGitHTTPSRetries(t *testing.T) {
	r := newHTTPRemote(t, false)
	isPOST := func(req *http.Request) bool { return req.Method == http.MethodPost }

	t.Run("503 then success", func(t *testing.T) {
		g, l := httpFetcher(t, env(source.EnvToken, rightToken))
		r.srv.Reset()
		r.srv.FailNext(3, http.StatusServiceUnavailable, nil)
		defer r.srv.Heal()
		d := mustFetch(t, g, domain(r.url, "main", "mesh"))
		if d.Source.Commit != r.v2 {
			t.Errorf("commit %s; want %s", d.Source.Commit, r.v2)
		}
		got := statuses(r.srv.Requests())
		want := []int{503, 503, 503, 200, 200, 200} // list x4; fetch's GET and POST
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("server answered %v; want %v", got, want)
		}
		if n := l.count("git: retrying"); n != 3 {
			t.Errorf("retried %d times; want 3:\n%s", n, l)
		}
		if want := []time.Duration{time.Millisecond, 2 * time.Millisecond, 4 * time.Millisecond}; fmt.Sprint(l.waits) != fmt.Sprint(want) {
			t.Errorf("waits %v; want %v (exponential backoff from Backoff)", l.waits, want)
		}
	})

	t.Run("503 while fetching the pack", func(t *testing.T) {
		g, l := httpFetcher(t, env(source.EnvToken, rightToken))
		r.srv.Reset()
		r.srv.FailNext(1, http.StatusServiceUnavailable, isPOST)
		defer r.srv.Heal()
		d := mustFetch(t, g, domain(r.url, "v1.0.0", "mesh"))
		if d.Source.Commit != r.v1 || read(t, d, "orders.cue") != version(1)["mesh/orders.cue"] {
			t.Errorf("commit %s; want %s", d.Source.Commit, r.v1)
		}
		if n := l.count("git: retrying"); n != 1 || !strings.Contains(l.String(), "op=fetch") {
			t.Errorf("retried %d times; want once, the fetch:\n%s", n, l)
		}
	})

	t.Run("permanent 500", func(t *testing.T) {
		g, l := httpFetcher(t, env(source.EnvToken, rightToken))
		g.Retries = 2
		r.srv.Reset()
		r.srv.FailAlways(http.StatusInternalServerError)
		defer r.srv.Heal()
		_, err := g.Fetch(context.Background(), domain(r.url, "main", "mesh"))
		wantErr(t, err, r.url, "main", "cannot reach "+r.url+" (ref main) after 3 attempts", "status code: 500")
		if got := statuses(r.srv.Requests()); fmt.Sprint(got) != "[500 500 500]" {
			t.Errorf("server answered %v; want three 500s", got)
		}
		if n := l.count("git: retrying"); n != 2 {
			t.Errorf("retried %d times; want 2", n)
		}
	})

	t.Run("no such repository", func(t *testing.T) {
		g, l := httpFetcher(t, env(source.EnvToken, rightToken))
		url := r.srv.URL + "/nope.git"
		r.srv.Reset()
		_, err := g.Fetch(context.Background(), domain(url, "main", "mesh"))
		wantErr(t, err, url, "main", "repository "+url+" not found (ref main)", "MESHC_GIT_TOKEN/GITHUB_TOKEN")
		if got := statuses(r.srv.Requests()); fmt.Sprint(got) != "[404]" {
			t.Errorf("server answered %v; want one 404", got)
		}
		if n := l.count("git: retrying"); n != 0 {
			t.Errorf("a missing repository was retried %d times", n)
		}
	})
}

func TestGitHTTPSCredentialsRedacted(t *testing.T) {
	r := newHTTPRemote(t, false)
	withCreds := func(pass string) string {
		return strings.Replace(r.url, "https://", "https://x-access-token:"+pass+"@", 1)
	}
	redacted := withCreds("xxxxx")
	noToken := func(t *testing.T, what, s string) {
		t.Helper()
		for _, tok := range []string{rightToken, wrongToken} {
			if strings.Contains(s, tok) {
				t.Errorf("%s shows a token: %s", what, s)
			}
		}
	}

	t.Run("right password in the URL", func(t *testing.T) {
		// No token in the environment: the URL's credentials are used.
		g, l := httpFetcher(t, env())
		r.srv.Reset()
		r.srv.FailNext(1, http.StatusServiceUnavailable, nil) // a retry, logged with its error
		defer r.srv.Heal()
		d := mustFetch(t, g, domain(withCreds(rightToken), "main", "mesh"))
		// The source's identity drops the credentials altogether.
		if d.Source.Commit != r.v2 || d.Source.Git != r.url {
			t.Errorf("Source = %+v; want commit %s and git %s", d.Source, r.v2, r.url)
		}
		noToken(t, "Source.Git", d.Source.Git)
		noToken(t, "the log", l.String())
		if l.count("git: retrying") != 1 {
			t.Errorf("no retry logged:\n%s", l)
		}
		// Nor is it written to the cache.
		err := filepath.WalkDir(g.CacheDir, func(p string, e fs.DirEntry, err error) error {
			if err != nil || e.IsDir() {
				return err
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			if strings.Contains(string(b), rightToken) {
				t.Errorf("cache file %s holds the token", p)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})

	t.Run("wrong password in the URL", func(t *testing.T) {
		g, _ := httpFetcher(t, env())
		_, err := g.Fetch(context.Background(), domain(withCreds(wrongToken), "main", "mesh"))
		wantErr(t, err, redacted, "main", "authentication failed for "+redacted)
		noToken(t, "error", err.Error())
	})

	t.Run("server error with the password in the URL", func(t *testing.T) {
		g, l := httpFetcher(t, env())
		g.Retries = 1
		r.srv.FailAlways(http.StatusInternalServerError)
		defer r.srv.Heal()
		_, err := g.Fetch(context.Background(), domain(withCreds(rightToken), "main", "mesh"))
		wantErr(t, err, redacted, "main", "after 2 attempts", "status code: 500")
		noToken(t, "error", err.Error())
		noToken(t, "the log", l.String())
	})

	t.Run("token from the environment", func(t *testing.T) {
		g, l := httpFetcher(t, env(source.EnvToken, wrongToken))
		_, err := g.Fetch(context.Background(), domain(r.url, "main", "mesh"))
		wantErr(t, err, r.url, "main", "authentication failed")
		noToken(t, "error", err.Error())
		noToken(t, "the log", l.String())

		g, _ = httpFetcher(t, env(source.EnvToken, rightToken))
		d := mustFetch(t, g, domain(r.url, "main", "mesh"))
		if d.Source.Git != r.url {
			t.Errorf("Source.Git = %s; want %s", d.Source.Git, r.url)
		}
	})
}

// Tokens from the environment go only to https:// URLs: over plain
// http:// they would cross the network in clear, so none is sent, and the
// server's 401 is reported as an authentication failure (without naming
// the variables, which do not apply).
func TestGitPlainHTTPSendsNoToken(t *testing.T) {
	r := newHTTPRemote(t, true)
	if !strings.HasPrefix(r.url, "http://") {
		t.Fatalf("URL %s; want http://", r.url)
	}
	g, l := httpFetcher(t, env(source.EnvToken, rightToken, source.EnvGitHubToken, rightToken))
	_, err := g.Fetch(context.Background(), domain(r.url, "main", "mesh"))
	wantErr(t, err, r.url, "main", "authentication failed for "+r.url+" (ref main)")
	reqs := r.srv.Requests()
	if len(reqs) != 1 || reqs[0].SentAuth || reqs[0].Status != http.StatusUnauthorized {
		t.Errorf("requests %+v; want one, without credentials, answered 401", reqs)
	}
	if l.count("git: retrying") != 0 {
		t.Errorf("retried:\n%s", l)
	}

	// Credentials in the URL itself are the user's choice, and are used.
	withCreds := strings.Replace(r.url, "http://", "http://x-access-token:"+rightToken+"@", 1)
	d := mustFetch(t, g, domain(withCreds, "main", "mesh"))
	if d.Source.Commit != r.v2 || strings.Contains(d.Source.Git, rightToken) {
		t.Errorf("Source = %+v; want commit %s, no token", d.Source, r.v2)
	}
}

// TestDisplayURLHidesTokens: a token given as the URL's user name, which
// GitHub accepts, never reaches errors, plans or the catalog.
func TestDisplayURLHidesTokens(t *testing.T) {
	for raw, want := range map[string]string{
		"https://ghp_secret@github.com/acme/orders.git":       "https://xxxxx@github.com/acme/orders.git",
		"https://x-access-token:ghp_secret@github.com/acme/o": "https://x-access-token:xxxxx@github.com/acme/o",
		"https://github.com/acme/orders.git":                  "https://github.com/acme/orders.git",
		"ssh://git@github.com/acme/orders.git":                "ssh://git@github.com/acme/orders.git",
		"file:///srv/git/orders.git":                          "file:///srv/git/orders.git",
	} {
		if got := source.DisplayURL(raw); got != want {
			t.Errorf("DisplayURL(%q) = %q, want %q", raw, got, want)
		}
	}
}

// checkFetches fetches the remote's main and its tag v1.0.0, then pushes a
// new commit and checks that a new run fetches it incrementally into the
// same clone: what every transport must do.
func checkFetches(t *testing.T, g source.Git, l *fullLog, url, v1, v2 string, work, bare *gittest.Repo) {
	t.Helper()
	d := mustFetch(t, g, domain(url, "main", "mesh"))
	if got := read(t, d, "orders.cue"); got != version(2)["mesh/orders.cue"] {
		t.Errorf("orders.cue at main = %q", got)
	}
	if d.Source.Commit != v2 || d.Source.Git != url || d.Source.Ref != "main" || d.Source.Path != "mesh" || d.Dir != "mesh" {
		t.Errorf("domain at main = %+v; want commit %s", d, v2)
	}
	if l.count("git: cloning") != 1 {
		t.Errorf("first fetch did not clone:\n%s", l)
	}

	// An annotated tag, peeled to its commit.
	d = mustFetch(t, g, domain(url, "v1.0.0", "mesh"))
	if got := read(t, d, "orders.cue"); got != version(1)["mesh/orders.cue"] || d.Source.Commit != v1 || d.Source.Ref != "v1.0.0" {
		t.Errorf("tag v1.0.0: commit %s, orders.cue %q; want %s", d.Source.Commit, got, v1)
	}

	// A new commit: an incremental fetch into the same clone, as a new
	// meshc run would make.
	v3 := work.Commit("v3", version(3))
	work.Push(bare)
	source.ForgetRepos()
	l.reset()
	d = mustFetch(t, g, domain(url, "main", "mesh"))
	if d.Source.Commit != v3 || read(t, d, "orders.cue") != version(3)["mesh/orders.cue"] {
		t.Errorf("after a new commit: commit %s; want %s", d.Source.Commit, v3)
	}
	if l.count("git: cloning") != 0 || l.count("git: fetching") != 1 {
		t.Errorf("second fetch was not one incremental fetch:\n%s", l)
	}
	entries, err := os.ReadDir(g.CacheDir)
	if err != nil || len(entries) != 1 {
		t.Errorf("cache holds %v (%v); want one clone", entries, err)
	}
}

// servedRepo makes the repository the transport tests serve: main with
// commits v1 and v2 and the annotated tag v1.0.0 at v1, as orders.git, the
// only thing in the base directory it returns (the test's other temporary
// directories, the cache among them, are its siblings, not below it).
func servedRepo(t *testing.T) (base string, bare, work *gittest.Repo, v1, v2 string) {
	t.Helper()
	bare = gittest.NewBare(t)
	work = gittest.New(t)
	v1 = work.Commit("v1", version(1))
	work.AnnotatedTag("v1.0.0", v1, "first release")
	v2 = work.Commit("v2", version(2))
	work.Push(bare)
	base = t.TempDir()
	served := filepath.Join(base, "orders.git")
	if err := os.Rename(bare.Dir, served); err != nil {
		t.Fatal(err)
	}
	bare.Dir = served
	return base, bare, work, v1, v2
}
