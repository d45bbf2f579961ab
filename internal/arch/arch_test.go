package arch

import (
	"go/parser"
	"go/token"
	"io/fs"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/meshc-dev/meshc/"

// forbidden maps a package pattern (a prefix, or an exact path ending in
// "!"; "" is every package) to the meshc packages that it must not depend
// on, directly or not.
var forbidden = []struct {
	pkg     string
	mustNot []string
	why     string
}{
	{"pkg/", []string{"internal/cli", "cmd/"}, "core packages return values; only the CLI prints"},
	{"pkg/diag!", []string{"pkg/"}, "diagnostics are a leaf"},
	{"pkg/fuzzy!", []string{"pkg/"}, "suggestions are a leaf"},
	{"pkg/redact!", []string{"pkg/"}, "redaction is a leaf every stage and the CLI use"},
	{"pkg/rule!", []string{"pkg/catalog", "pkg/check", "pkg/compile", "pkg/config", "pkg/engine", "pkg/export", "pkg/odcs", "pkg/github", "pkg/lineage", "pkg/mesh", "pkg/plan", "pkg/render", "pkg/scaffold", "pkg/source", "pkg/state"}, "the rule list is a leaf every stage registers into: it imports only diag and fuzzy"},
	{"pkg/internal/", []string{"pkg/catalog", "pkg/check", "pkg/compile", "pkg/config", "pkg/engine", "pkg/export", "pkg/odcs", "pkg/github", "pkg/lineage", "pkg/mesh", "pkg/plan", "pkg/render", "pkg/scaffold", "pkg/site", "pkg/source", "pkg/state"}, "generic helpers sit below every stage that imports them"},
	{"pkg/render!", []string{"pkg/github", "pkg/scaffold"}, "rendering knows no caller"},
	{"pkg/github!", []string{"pkg/compile", "pkg/source", "pkg/mesh", "pkg/config"}, "GitHub reporting publishes results; it does not make them"},
	{"pkg/catalog!", []string{"pkg/github", "pkg/scaffold", "pkg/config", "pkg/source", "pkg/compile", "pkg/check", "pkg/mesh", "pkg/render", "pkg/plan", "pkg/state"}, "the model holds types only"},
	{"pkg/config!", []string{"pkg/github", "pkg/scaffold", "pkg/source", "pkg/compile", "pkg/check", "pkg/mesh", "pkg/render"}, "data flows one way"},
	{"pkg/source!", []string{"pkg/github", "pkg/scaffold", "pkg/compile", "pkg/check", "pkg/mesh", "pkg/render"}, "data flows one way"},
	{"pkg/compile!", []string{"pkg/github", "pkg/scaffold", "pkg/check", "pkg/mesh", "pkg/render"}, "data flows one way"},
	{"pkg/check!", []string{"pkg/github", "pkg/scaffold", "pkg/compile", "pkg/mesh", "pkg/render", "pkg/source"}, "checks read the model only"},
	{"pkg/mesh!", []string{"pkg/github", "pkg/scaffold", "pkg/render", "pkg/plan", "pkg/state"}, "the front half knows nothing of the live catalog"},
	{"pkg/state!", []string{"pkg/github", "pkg/scaffold", "pkg/config", "pkg/source", "pkg/compile", "pkg/check", "pkg/mesh", "pkg/plan", "pkg/render", "pkg/engine", "pkg/state/"}, "the live catalog is a document; its backends plug in from below, by name"},
	{"pkg/state/", []string{"pkg/github", "pkg/scaffold", "pkg/config", "pkg/source", "pkg/compile", "pkg/check", "pkg/mesh", "pkg/plan", "pkg/render", "pkg/engine"}, "a backend only keeps the document"},
	{"", []string{"pkg/state/statetest"}, "the backend conformance suite is for tests only"},
	{"", []string{"internal/pgtest"}, "the private PostgreSQL cluster is for tests only"},
	{"pkg/plan!", []string{"pkg/github", "pkg/scaffold", "pkg/source", "pkg/compile", "pkg/mesh", "pkg/render", "pkg/config", "pkg/state/"}, "the plan compares models; it neither loads nor prints, nor picks a backend"},
	{"pkg/render!", []string{"pkg/compile", "pkg/source", "pkg/mesh", "pkg/config", "pkg/engine"}, "rendering is built from the model only"},
	{"pkg/result!", []string{"pkg/github", "pkg/scaffold", "pkg/config", "pkg/source", "pkg/compile", "pkg/check", "pkg/mesh", "pkg/render", "pkg/engine"}, "results are types only"},
	{"pkg/engine!", []string{"pkg/github", "pkg/scaffold", "pkg/render"}, "the engine returns results; it never prints or reports"},
	{"pkg/export!", []string{"pkg/compile", "pkg/source", "pkg/mesh", "pkg/config", "pkg/github", "pkg/render", "pkg/scaffold", "pkg/plan", "pkg/state", "pkg/check"}, "export maps the model only"},
	{"pkg/usage!", []string{"pkg/compile", "pkg/source", "pkg/mesh", "pkg/config", "pkg/github", "pkg/render", "pkg/scaffold", "pkg/engine", "pkg/check", "pkg/state/"}, "usage resolves events against the model and keeps them through state.UsageStore, whatever the backend"},
	{"pkg/score!", []string{"pkg/compile", "pkg/source", "pkg/mesh", "pkg/github", "pkg/render", "pkg/scaffold", "pkg/engine", "pkg/check", "pkg/state/"}, "scorecards evaluate their own CUE value and the model; they compile no domain"},
	{"pkg/odcs!", []string{"pkg/compile", "pkg/source", "pkg/mesh", "pkg/config", "pkg/github", "pkg/render", "pkg/scaffold", "pkg/plan", "pkg/state", "pkg/check"}, "import maps contracts to the model and its CUE; meshc validate checks them"},
	{"pkg/lineage!", []string{"pkg/"}, "the graph layout knows no catalog: callers give it nodes and edges"},
	{"pkg/site!", []string{"pkg/compile", "pkg/source", "pkg/mesh", "pkg/config", "pkg/github", "pkg/render", "pkg/scaffold", "pkg/check", "pkg/engine", "pkg/score", "pkg/usage", "pkg/state/"}, "the site is built from the model, the live catalog and the results it is given (scores, usage): it computes none"},
}

// imports parses the non-test Go files of the module (rather than asking
// go list, whose reads the test cache cannot see) and returns each meshc
// package's meshc imports.
func imports(t *testing.T) map[string][]string {
	t.Helper()
	root := "../.."
	graph := map[string][]string{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		dir, _ := filepath.Rel(root, filepath.Dir(path))
		dir = filepath.ToSlash(dir)
		if _, ok := graph[dir]; !ok {
			graph[dir] = nil
		}
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if rel, ok := strings.CutPrefix(p, module); ok {
				graph[dir] = append(graph[dir], rel)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return graph
}

// deps returns every meshc package pkg depends on, directly or not.
func deps(graph map[string][]string, pkg string) []string {
	seen := map[string]bool{}
	var visit func(string)
	visit = func(p string) {
		for _, d := range graph[p] {
			if !seen[d] {
				seen[d] = true
				visit(d)
			}
		}
	}
	visit(pkg)
	return slices.Sorted(maps.Keys(seen))
}

func TestLayering(t *testing.T) {
	graph := imports(t)
	if len(graph) < 5 {
		t.Fatalf("found only %d packages", len(graph))
	}
	checked := 0
	for _, rel := range slices.Sorted(maps.Keys(graph)) {
		for _, rule := range forbidden {
			if !matches(rel, rule.pkg) {
				continue
			}
			checked++
			for _, drel := range deps(graph, rel) {
				for _, bad := range rule.mustNot {
					if matches(drel, bad) || strings.HasPrefix(drel, bad) {
						t.Errorf("%s depends on %s: %s", rel, drel, rule.why)
					}
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("no package matched a layering rule")
	}
}

// TestBackendsStandAlone checks that no state backend (pkg/state/NAME)
// depends on another package under pkg/state: backends are chosen by name
// in one place, pkg/state/all, and know nothing of each other.
func TestBackendsStandAlone(t *testing.T) {
	graph := imports(t)
	checked := 0
	for _, rel := range slices.Sorted(maps.Keys(graph)) {
		name, ok := strings.CutPrefix(rel, "pkg/state/")
		if !ok || name == "all" || strings.Contains(name, "/") {
			continue
		}
		checked++
		for _, d := range deps(graph, rel) {
			if strings.HasPrefix(d, "pkg/state/") {
				t.Errorf("%s depends on %s: a backend knows no other backend", rel, d)
			}
		}
	}
	if checked < 2 { // statetest and file at least
		t.Fatalf("found %d packages under pkg/state", checked)
	}
}

func matches(rel, pattern string) bool {
	if exact, ok := strings.CutSuffix(pattern, "!"); ok {
		return rel == exact
	}
	return strings.HasPrefix(rel, pattern)
}
