package git

import (
	"strings"
	"testing"

	"github.com/meshc-dev/meshc/pkg/state"
)

func TestOpenByName(t *testing.T) {
	r := fileRemote(t)
	spec, err := state.ParseURL("git+"+r.URL+"#live:state/catalog.json", "")
	if err != nil {
		t.Fatal(err)
	}
	spec.CacheDir = t.TempDir()
	st, err := state.Open(spec)
	if err != nil {
		t.Fatal(err)
	}
	if want := "git " + r.URL + "#live:state/catalog.json"; st.Describe() != want {
		t.Errorf("Describe = %q; want %q", st.Describe(), want)
	}
	l, err := st.Lock(t.Context(), "alice")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Unlock()
	if err := l.Write(t.Context(), state.New(), 0); err != nil {
		t.Fatal(err)
	}
	if r.raw("live", "state/catalog.json") == nil {
		t.Errorf("nothing written at live:state/catalog.json")
	}

	// mesh.cue's defaults: branch meshc-catalog, path catalog.json; a
	// relative local repository is relative to mesh.cue's directory.
	b, err := open(state.Spec{Backend: "git", Repo: "remote.git", BaseDir: "/srv/platform"})
	if err != nil {
		t.Fatal(err)
	}
	if want := "git remote.git#meshc-catalog:catalog.json"; b.Describe() != want {
		t.Errorf("Describe = %q; want %q", b.Describe(), want)
	}
	if got := b.(*Backend).url; got != "/srv/platform/remote.git" {
		t.Errorf("repository at %s; want /srv/platform/remote.git", got)
	}
}

func TestOpenRefusesBadSpecs(t *testing.T) {
	for _, tt := range []struct {
		spec state.Spec
		want string
	}{
		{state.Spec{Backend: "git"}, "the git backend needs a repo"},
		{state.Spec{Backend: "git", Repo: "r.git", URL: "postgres://x"}, "no url"},
		{state.Spec{Backend: "git", Repo: "ftp://example.com/r.git"}, "bad git URL ftp://example.com/r.git: unsupported scheme ftp"},
		{state.Spec{Backend: "git", Repo: "r.git", Branch: "a..b"}, `branch "a..b" is not a valid branch name`},
		{state.Spec{Backend: "git", Repo: "r.git", Branch: "refs/heads/x"}, "not a valid branch name"},
		{state.Spec{Backend: "git", Repo: "r.git", Path: "/etc/catalog.json"}, "must be relative to the repository root"},
		{state.Spec{Backend: "git", Repo: "r.git", Path: "../catalog.json"}, "leaves the repository"},
		{state.Spec{Backend: "git", Repo: "r.git", Path: "state/"}, "names a directory"},
		{state.Spec{Backend: "git", Repo: "r.git", Path: "."}, "names a directory"},
		{state.Spec{Backend: "git", Repo: "r.git", Path: ".git/config"}, "inside .git"},
		{state.Spec{Backend: "git", Repo: "https://x:s3cret@h/r.git", Branch: "a b"}, "live catalog git+https://x:xxxxx@h/r.git#a b:"},
	} {
		_, err := state.Open(tt.spec)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Open(%+v): err = %v; want %q", tt.spec, err, tt.want)
		}
		if err != nil && strings.Contains(err.Error(), "s3cret") {
			t.Errorf("Open(%+v): err = %v shows the password", tt.spec, err)
		}
	}
}
