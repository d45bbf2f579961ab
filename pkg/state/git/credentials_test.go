package git

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshc-dev/meshc/internal/gittest"
	"github.com/meshc-dev/meshc/pkg/state"
	"github.com/meshc-dev/meshc/pkg/state/statetest"
)

const (
	rightToken = "tok-right-5be01f"
	wrongToken = "tok-wrong-c4a7d2"
)

// httpsRemote is a bare repository served over smart HTTPS behind basic
// auth that takes rightToken, accepting pushes, as a git host does.
func httpsRemote(t *testing.T) string {
	t.Helper()
	base := t.TempDir()
	srv := gittest.StartHTTP(t, base, gittest.HTTPOptions{TLS: true, User: "x-access-token", Password: rightToken})
	gittest.TrustTLS(srv.Certificate())
	r := gittest.NewBareAt(t, filepath.Join(base, "platform.git"))
	r.Git("config", "http.receivepack", "true")
	return srv.RepoURL(t, r)
}

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func TestTokenFromEnvironment(t *testing.T) {
	url := httpsRemote(t)
	for _, name := range []string{"MESHC_GIT_TOKEN", "GITHUB_TOKEN"} {
		t.Run(name, func(t *testing.T) {
			b, err := New(Options{Repo: url, CacheDir: t.TempDir(), Getenv: env(map[string]string{name: rightToken})})
			if err != nil {
				t.Fatal(err)
			}
			st := state.NewStore(b)
			l, err := st.Lock(t.Context(), "alice")
			if err != nil {
				t.Fatalf("Lock with %s: %v", name, err)
			}
			defer l.Unlock()
			c, err := l.Read(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			c.Products = statetest.Sample().Products
			if err := l.Write(t.Context(), c, c.Serial); err != nil {
				t.Fatalf("Write with %s: %v", name, err)
			}
		})
	}
}

func TestCredentialsNeverShown(t *testing.T) {
	url := httpsRemote(t)
	for _, tt := range []struct {
		name, repo string
		env        map[string]string
		secret     string
		want       string
	}{
		{"wrong token", url, map[string]string{"GITHUB_TOKEN": wrongToken}, wrongToken, "authentication failed"},
		{"token as user", strings.Replace(url, "https://", "https://"+wrongToken+"@", 1), nil, wrongToken, "authentication failed"},
		{"password in URL", strings.Replace(url, "https://", "https://x-access-token:"+wrongToken+"@", 1), nil, wrongToken, "authentication failed"},
		{"unreachable", "https://x-access-token:" + wrongToken + "@127.0.0.1:1/acme/platform.git", nil, wrongToken, "cannot reach the remote"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			b, err := New(Options{Repo: tt.repo, Getenv: env(tt.env)})
			if err != nil {
				t.Fatal(err)
			}
			st := state.NewStore(b)
			_, rerr := st.Read(t.Context())
			_, lerr := st.Lock(t.Context(), "alice")
			for _, err := range []error{rerr, lerr} {
				if err == nil || strings.Contains(err.Error(), tt.secret) || !strings.Contains(err.Error(), tt.want) {
					t.Errorf("err = %v; want %q and no credential", err, tt.want)
				}
			}
			if d := st.Describe(); strings.Contains(d, tt.secret) {
				t.Errorf("Describe = %q shows the credential", d)
			}
			if tt.env != nil && !strings.Contains(rerr.Error(), "check MESHC_GIT_TOKEN/GITHUB_TOKEN") {
				t.Errorf("err = %v; want it to say which variables to check", rerr)
			}
		})
	}
}

// TestReadOnlyRemote: credentials that may read but not push make Lock
// fail at once, saying so, without trying again.
func TestReadOnlyRemote(t *testing.T) {
	base := t.TempDir()
	srv := gittest.StartHTTP(t, base, gittest.HTTPOptions{})
	r := gittest.NewBareAt(t, filepath.Join(base, "platform.git")) // git-http-backend refuses anonymous pushes
	b, err := New(Options{Repo: srv.RepoURL(t, r)})
	if err != nil {
		t.Fatal(err)
	}
	st := state.NewStore(b)
	if _, err := st.Read(t.Context()); err != nil {
		t.Fatalf("Read: %v", err)
	}
	_, err = st.Lock(t.Context(), "alice")
	if err == nil || !strings.Contains(err.Error(), "locking: authentication failed") {
		t.Errorf("Lock: err = %v; want authentication failed", err)
	}
	pushes := 0
	for _, q := range srv.Requests() {
		if strings.Contains(q.Path, "git-receive-pack") {
			pushes++
		}
	}
	if pushes != 1 {
		t.Errorf("Lock tried to push %d times; want once", pushes)
	}
}
