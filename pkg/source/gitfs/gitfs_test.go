package gitfs_test

import (
	"errors"
	"io/fs"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/cuecontext"
	"cuelang.org/go/cue/load"
	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/meshc-dev/meshc/internal/gittest"
	"github.com/meshc-dev/meshc/pkg/source/gitfs"
)

// tree commits files to a new repository and returns its root tree, read
// with go-git, and the commit.
func tree(t *testing.T, files map[string]string, links map[string]string) (*object.Tree, *object.Commit) {
	t.Helper()
	r := gittest.New(t)
	for name, target := range links {
		r.Symlink(name, target)
	}
	sha := r.Commit("files", files)
	repo, err := git.PlainOpen(r.Dir)
	if err != nil {
		t.Fatal(err)
	}
	c, err := repo.CommitObject(plumbing.NewHash(sha))
	if err != nil {
		t.Fatal(err)
	}
	tr, err := c.Tree()
	if err != nil {
		t.Fatal(err)
	}
	return tr, c
}

var files = map[string]string{
	"README.md":          "# orders\n",
	"mesh/orders.cue":    "package orders\n\ndomain: title: \"Orders\"\n",
	"mesh/products.cue":  "package orders\n\nproducts: events: title: \"Events\"\n",
	"mesh/notes/a.txt":   "a\n",
	"mesh/notes/b/c.txt": "c\n",
	"tools/run.sh":       "#!/bin/sh\n",
}

var links = map[string]string{
	"mesh/alias.cue.txt": "orders.cue",
	"current":            "mesh",
	"mesh/up":            "../tools",
	"mesh/outside":       "../../etc/passwd",
	"mesh/absolute":      "/etc/passwd",
	"mesh/dangling":      "nothing-here",
}

func TestFS(t *testing.T) {
	tr, c := tree(t, files, links)
	fsys := gitfs.New(tr, nil, c.Committer.When)
	if err := fstest.TestFS(fsys,
		"README.md", "mesh/orders.cue", "mesh/products.cue", "mesh/notes/a.txt", "mesh/notes/b/c.txt",
		"tools/run.sh", "mesh/alias.cue.txt", "current/orders.cue", "mesh/up/run.sh"); err != nil {
		t.Fatal(err)
	}
}

func TestFSReads(t *testing.T) {
	tr, c := tree(t, files, links)
	fsys := gitfs.New(tr, nil, c.Committer.When)

	b, err := fs.ReadFile(fsys, "mesh/orders.cue")
	if err != nil || string(b) != files["mesh/orders.cue"] {
		t.Errorf("ReadFile mesh/orders.cue = %q, %v", b, err)
	}
	b, err = fs.ReadFile(fsys, "current/alias.cue.txt") // a link through a linked directory
	if err != nil || string(b) != files["mesh/orders.cue"] {
		t.Errorf("ReadFile current/alias.cue.txt = %q, %v", b, err)
	}
	fi, err := fs.Stat(fsys, "tools/run.sh")
	if err != nil || fi.Size() != int64(len(files["tools/run.sh"])) || fi.IsDir() || !fi.ModTime().Equal(c.Committer.When) {
		t.Errorf("Stat tools/run.sh = %v, %v", fi, err)
	}

	for _, name := range []string{"mesh/outside", "mesh/absolute", "mesh/dangling", "missing.cue", "mesh/orders.cue/x"} {
		if _, err := fsys.Open(name); err == nil {
			t.Errorf("Open(%q) succeeded; want an error", name)
		}
	}
	for _, name := range []string{"/mesh/orders.cue", "mesh/../README.md", "./README.md", ""} {
		if _, err := fsys.Open(name); !errors.Is(err, fs.ErrInvalid) {
			t.Errorf("Open(%q) = %v; want fs.ErrInvalid", name, err)
		}
	}

	entries, err := fs.ReadDir(fsys, "mesh")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	// Links that lead nowhere, or out of the tree, are left out.
	want := []string{"alias.cue.txt", "notes", "orders.cue", "products.cue", "up"}
	if !slices.Equal(names, want) {
		t.Errorf("ReadDir(mesh) = %v; want %v", names, want)
	}
	sub, err := fs.Sub(fsys, "mesh")
	if err != nil {
		t.Fatal(err)
	}
	got, err := fs.Glob(sub, "*.cue")
	if err != nil || !slices.Equal(got, []string{"orders.cue", "products.cue"}) {
		t.Errorf("Glob(*.cue) = %v, %v", got, err)
	}
}

// TestCUELoad checks that CUE's loader reads a package from the FS as
// pkg/compile asks it to: files at the root, Dir "/".
func TestCUELoad(t *testing.T) {
	tr, _ := tree(t, files, nil)
	meshTree, err := tr.Tree("mesh")
	if err != nil {
		t.Fatal(err)
	}
	fsys := gitfs.New(meshTree, nil, time.Time{})
	insts := load.Instances([]string{"."}, &load.Config{
		FS:         fsys,
		Dir:        "/",
		FromFSPath: func(p string) string { return "mesh/" + strings.TrimPrefix(p, "/") },
	})
	if len(insts) != 1 || insts[0].Err != nil {
		t.Fatalf("load.Instances: %v", insts[0].Err)
	}
	var names []string
	for _, f := range insts[0].Files {
		names = append(names, f.Filename)
	}
	if want := []string{"mesh/orders.cue", "mesh/products.cue"}; !slices.Equal(names, want) {
		t.Errorf("files = %v; want %v", names, want)
	}
	v := cuecontext.New().BuildInstance(insts[0])
	if got, err := v.LookupPath(cue.ParsePath("products.events.title")).String(); err != nil || got != "Events" {
		t.Errorf("products.events.title = %q, %v", got, err)
	}
}
