package all_test

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/meshc-dev/meshc/pkg/state"
	_ "github.com/meshc-dev/meshc/pkg/state/all"
)

// notBackends are the packages under pkg/state that register no backend.
var notBackends = []string{"all", "statetest"}

// TestEveryBackendRegistered checks that every backend package under
// pkg/state is imported here, under its directory's name.
func TestEveryBackendRegistered(t *testing.T) {
	entries, err := os.ReadDir("..")
	if err != nil {
		t.Fatal(err)
	}
	var dirs []string
	for _, e := range entries {
		if !e.IsDir() || e.Name() == "testdata" || slices.Contains(notBackends, e.Name()) {
			continue
		}
		if gos, _ := filepath.Glob(filepath.Join("..", e.Name(), "*.go")); len(gos) > 0 {
			dirs = append(dirs, e.Name())
		}
	}
	if len(dirs) == 0 {
		t.Fatal("found no backend package under pkg/state")
	}
	if got := state.Backends(); !slices.Equal(got, dirs) {
		t.Errorf("registered backends %v; want one per package under pkg/state: %v", got, dirs)
	}
}
