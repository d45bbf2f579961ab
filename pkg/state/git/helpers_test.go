package git

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshc-dev/meshc/internal/gittest"
	"github.com/meshc-dev/meshc/pkg/state"
	"github.com/meshc-dev/meshc/pkg/state/statetest"
)

// remote is a bare repository standing for the hosted one, with the URL
// meshc reaches it at.
type remote struct {
	*gittest.Repo
	URL string
}

// fileRemote is a bare repository reached over file://.
func fileRemote(t testing.TB) remote {
	t.Helper()
	r := gittest.NewBare(t)
	return remote{r, r.URL()}
}

// daemonRemote is a bare repository served by a loopback git daemon that
// accepts pushes.
func daemonRemote(t testing.TB) remote {
	t.Helper()
	base := t.TempDir()
	d := gittest.StartWritableDaemon(t, base)
	r := gittest.NewBareAt(t, filepath.Join(base, "platform.git"))
	return remote{r, d.RepoURL(t, base, r)}
}

// open returns a backend on r with its own clone in cache ("" in memory).
func (r remote) open(t testing.TB, cache string) *Backend {
	t.Helper()
	b, err := New(Options{Repo: r.URL, CacheDir: cache, Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// tip is the branch's commit, "" if there is no branch.
func (r remote) tip(branch string) string {
	return r.Git("for-each-ref", "--format=%(objectname)", "refs/heads/"+branch)
}

// plant commits data as path on branch, bypassing meshc, as a hand edit
// would.
func (r remote) plant(branch, path string, data []byte) string {
	h := strings.TrimSpace(string(r.Run(data, "hash-object", "-w", "--stdin")))
	mode := "100644 blob "
	parts := strings.Split(path, "/")
	for i := len(parts) - 1; i >= 0; i-- {
		h = strings.TrimSpace(string(r.Run([]byte(mode+h+"\t"+parts[i]+"\n"), "mktree")))
		mode = "040000 tree "
	}
	tree := h
	args := []string{"commit-tree", tree, "-m", "hand edit"}
	if parent := r.tip(branch); parent != "" {
		args = append(args, "-p", parent)
	}
	commit := r.Git(args...)
	r.Git("update-ref", "refs/heads/"+branch, commit)
	return commit
}

// raw is the file at path on branch as stored, nil if there is none.
func (r remote) raw(branch, path string) []byte {
	if r.tip(branch) == "" || r.Git("ls-tree", "refs/heads/"+branch, "--", path) == "" {
		return nil
	}
	return r.Run(nil, "cat-file", "blob", "refs/heads/"+branch+":"+path)
}

// storage is the statetest storage of r; each handle gets a clone from
// clones().
func (r remote) storage(t *testing.T, clones func() string) statetest.Storage {
	return statetest.Storage{
		Open:  func() state.Backend { return r.open(t, clones()) },
		Plant: func(data []byte) bool { r.plant(DefaultBranch, DefaultPath, data); return true },
		Raw:   func() []byte { return r.raw(DefaultBranch, DefaultPath) },
	}
}
