package source_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshc-dev/meshc/internal/gittest"
	"github.com/meshc-dev/meshc/pkg/config"
	"github.com/meshc-dev/meshc/pkg/mesh"
)

// exampleMesh makes the example mesh with every domain in a bare git
// repository of its own, its CUE under mesh/ (customers at the root), and
// returns mesh.cue's path and each domain's commit.
func exampleMesh(t *testing.T, edit func(domain string, files map[string]string)) (string, map[string]string) {
	t.Helper()
	example := filepath.Join("..", "..", "catalog-example")
	root := t.TempDir()
	if err := os.CopyFS(filepath.Join(root, "policies"), os.DirFS(filepath.Join(example, "policies"))); err != nil {
		t.Fatal(err)
	}
	dirs, err := os.ReadDir(filepath.Join(example, "domains"))
	if err != nil {
		t.Fatal(err)
	}
	commits := map[string]string{}
	var cfg strings.Builder
	cfg.WriteString("platform: {name: \"acme\", policies: \"./policies\"}\ndomains: {\n")
	for _, dir := range dirs {
		name := dir.Name()
		prefix := "mesh/"
		if name == "customers" {
			prefix = ""
		}
		files := map[string]string{"README.md": "# " + name + "\n"}
		cues, _ := filepath.Glob(filepath.Join(example, "domains", name, "*.cue"))
		for _, f := range cues {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			files[prefix+filepath.Base(f)] = string(b)
		}
		if edit != nil {
			edit(name, files)
		}
		work, remote := gittest.New(t), gittest.NewBare(t)
		commits[name] = work.Commit("domain "+name, files)
		work.Push(remote)
		path := ""
		if prefix != "" {
			path = `, path: "mesh"`
		}
		fmt.Fprintf(&cfg, "\t%s: {git: %q, ref: \"main\"%s}\n", name, remote.URL(), path)
	}
	cfg.WriteString("}\nstate: {backend: \"file\", path: \".meshc/catalog.json\"}\n")
	file := filepath.Join(root, "mesh.cue")
	if err := os.WriteFile(file, []byte(cfg.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return file, commits
}

// TestMeshOfGitRepos: a mesh whose domains are bare git repositories
// validates, and each domain records the commit it was read at.
func TestMeshOfGitRepos(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir()) // the default git cache
	file, commits := exampleMesh(t, nil)
	cfg, err := config.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	res, err := mesh.Load(context.Background(), cfg, mesh.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Diagnostics.HasErrors() {
		t.Fatalf("diagnostics:\n%v", res.Diagnostics)
	}
	if len(res.Mesh.Domains) != len(commits) || len(res.Mesh.Products) == 0 {
		t.Fatalf("%d domains, %d products; want %d domains", len(res.Mesh.Domains), len(res.Mesh.Products), len(commits))
	}
	for _, p := range res.Mesh.Products {
		d := res.Mesh.Domains[p.Domain]
		if d.Source.Commit != commits[p.Domain] || d.Source.Ref != "main" || !strings.HasPrefix(d.Source.Git, "file://") {
			t.Errorf("%s: source %+v; want commit %s", p.ID, d.Source, commits[p.Domain])
		}
	}
	cache := filepath.Join(os.Getenv("XDG_CACHE_HOME"), "meshc", "git")
	if entries, err := os.ReadDir(cache); err != nil || len(entries) != len(commits) {
		t.Errorf("default cache %s holds %d clones (%v); want %d", cache, len(entries), err, len(commits))
	}
}

// TestMeshOfGitReposPositions: diagnostics name files as they are in the
// domain's repository.
func TestMeshOfGitReposPositions(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	file, _ := exampleMesh(t, func(domain string, files map[string]string) {
		for name, src := range files {
			if strings.HasSuffix(name, ".cue") && (domain == "orders" || domain == "customers") {
				files[name] = strings.Replace(src, `status:         "active"`, `status:         "live"`, 1)
			}
		}
	})
	cfg, err := config.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	res, err := mesh.Load(context.Background(), cfg, mesh.Options{})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, d := range res.Diagnostics {
		if d.Code != "schema" || !strings.Contains(d.Message, "status") {
			continue
		}
		t.Logf("%s:%d:%d %s %s", d.File, d.Line, d.Column, d.Domain, d.Message)
		seen[d.Domain] = true
		// Files are named relative to their repository: a domain at a
		// repository's root has none of the "mesh/" prefix, nor "./".
		want := "mesh/"
		if d.Domain == "customers" {
			want = ""
		}
		if !strings.HasPrefix(d.File, want) || strings.Contains(d.File[len(want):], "/") || !strings.HasSuffix(d.File, ".cue") || d.Line == 0 {
			t.Errorf("%s: diagnostic at %s:%d; want a file directly under %q", d.Domain, d.File, d.Line, want)
		}
	}
	if !seen["orders"] || !seen["customers"] {
		t.Errorf("no status diagnostics for orders and customers:\n%v", res.Diagnostics)
	}
}
