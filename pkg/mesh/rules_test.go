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

// load loads the mesh of the mesh.cue at cfgPath.
func load(t *testing.T, cfgPath string) *mesh.Result {
	t.Helper()
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	res, err := mesh.Load(context.Background(), cfg, mesh.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func diagnose(t *testing.T, cfgPath string) string {
	t.Helper()
	res := load(t, cfgPath)
	var b strings.Builder
	for _, d := range res.Diagnostics {
		fixture.Registered(t, d.Code, d.Rule)
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
