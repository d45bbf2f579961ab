package mesh_test

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/meshc-dev/meshc/pkg/config"
)

// TestDesignExample keeps the contract honest: the domain written out in
// DESIGN.md (shared beside the checkout) validates as it stands, next to
// the customers domain it consumes, and the design's mesh.cue loads.
func TestDesignExample(t *testing.T) {
	design, err := os.ReadFile("../../../shared/DESIGN.md")
	if err != nil {
		t.Skipf("DESIGN.md is not beside the checkout: %v", err)
	}
	blocks := regexp.MustCompile("(?s)```cue\n(.*?)```").FindAllSubmatch(design, -1)
	if len(blocks) < 2 {
		t.Fatalf("DESIGN.md has %d cue blocks, want the domain and mesh.cue", len(blocks))
	}
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS("testdata/base")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "domains/orders/orders.cue"), blocks[0][1], 0o644); err != nil {
		t.Fatal(err)
	}
	if got := diagnose(t, filepath.Join(dir, "mesh.cue")); got != "" {
		t.Errorf("the design's example domain does not validate:\n%s", got)
	}

	meshFile := filepath.Join(t.TempDir(), "mesh.cue")
	if err := os.WriteFile(meshFile, blocks[1][1], 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(meshFile)
	if err != nil {
		t.Fatalf("the design's mesh.cue does not load: %v", err)
	}
	if c := cfg.Domains["customers"]; c == nil || c.Git == "" || c.Ref != "main" || c.Path != "mesh" {
		t.Errorf("customers = %+v, want its git source", c)
	}
}
