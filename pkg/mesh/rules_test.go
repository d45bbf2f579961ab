package mesh_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/meshc-dev/meshc/internal/fixture"
	"github.com/meshc-dev/meshc/pkg/catalog"
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
		var live map[string]*catalog.Product
		for _, f := range files {
			if f.Name == "live" {
				live = liveProducts(t, f.Data)
				continue
			}
			fixture.Write(t, dir, f.Name, f.Data)
		}
		return diagnoseWith(t, filepath.Join(dir, "mesh.cue"), mesh.Options{Live: live})
	})
}

// liveProducts reads a fixture's "live" file: one "<product id> <port>
// <location>" a line, the output ports the live catalog holds.
func liveProducts(t *testing.T, data []byte) map[string]*catalog.Product {
	t.Helper()
	out := map[string]*catalog.Product{}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		f := strings.Fields(line)
		if len(f) != 3 {
			t.Fatalf("live: %q: want \"<product id> <port> <location>\"", line)
		}
		p := out[f[0]]
		if p == nil {
			p = &catalog.Product{ID: f[0], OutputPorts: map[string]catalog.OutputPort{}}
			out[f[0]] = p
		}
		p.OutputPorts[f[1]] = catalog.OutputPort{Location: f[2]}
	}
	return out
}

// load loads the mesh of the mesh.cue at cfgPath.
func load(t *testing.T, cfgPath string) *mesh.Result {
	t.Helper()
	return loadWith(t, cfgPath, mesh.Options{})
}

func loadWith(t *testing.T, cfgPath string, o mesh.Options) *mesh.Result {
	t.Helper()
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	res, err := mesh.Load(context.Background(), cfg, o)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func diagnose(t *testing.T, cfgPath string) string {
	t.Helper()
	return diagnoseWith(t, cfgPath, mesh.Options{})
}

func diagnoseWith(t *testing.T, cfgPath string, o mesh.Options) string {
	t.Helper()
	res := loadWith(t, cfgPath, o)
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
