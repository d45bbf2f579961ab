package mesh_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/meshc-dev/meshc/internal/fixture"
	"github.com/meshc-dev/meshc/pkg/config"
	"github.com/meshc-dev/meshc/pkg/mesh"
	"github.com/meshc-dev/meshc/pkg/render"
	"github.com/meshc-dev/meshc/pkg/rule"
)

// TestRules runs each fixture of testdata/rules: a txtar archive of files
// laid over the valid mesh in testdata/base, with the exact diagnostics
// expected in its "want" file. UPDATE_GOLDEN=1 rewrites the want files.
func TestRules(t *testing.T) {
	fixture.Run(t, "testdata/rules/*.txtar", func(t *testing.T, files []txtar.File) string {
		dir := fixture.Copy(t, "testdata/base")
		for _, f := range files {
			fixture.Write(t, dir, f.Name, f.Data)
		}
		return diagnose(t, filepath.Join(dir, "mesh.cue"))
	})
}

func diagnose(t *testing.T, cfgPath string) string {
	t.Helper()
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	res, err := mesh.Load(context.Background(), cfg, mesh.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, d := range res.Diagnostics {
		registered(t, d.Code, d.Rule)
		b.WriteString(string(d.Severity) + " " + render.DiagnosticLine(d) + "\n")
	}
	return b.String()
}

// TestBaseIsValid guards the fixtures' premise: the base mesh has no
// diagnostics, so every diagnostic of a fixture comes from its own files.
func TestBaseIsValid(t *testing.T) {
	if got := diagnose(t, "testdata/base/mesh.cue"); got != "" {
		t.Errorf("base mesh is not clean:\n%s", got)
	}
}

// registered fails t for each non-empty id that is not a registered rule:
// every code a fixture emits is documented by `meshc rules`.
func registered(t *testing.T, ids ...string) {
	t.Helper()
	for _, id := range ids {
		if _, ok := rule.Lookup(id); id != "" && !ok {
			t.Errorf("emitted %q, which is not a registered rule", id)
		}
	}
}
