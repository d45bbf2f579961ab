package file

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/meshc-dev/meshc/pkg/state"
	"github.com/meshc-dev/meshc/pkg/state/statetest"
)

func TestConformance(t *testing.T) {
	statetest.Run(t, func(t *testing.T) statetest.Storage {
		path := filepath.Join(t.TempDir(), ".meshc", "catalog.json")
		return statetest.Storage{
			Open: func() state.Backend { return New(path) },
			Plant: func(data []byte) bool {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, data, 0o644); err != nil {
					t.Fatal(err)
				}
				return true
			},
			Raw: func() []byte {
				data, err := os.ReadFile(path)
				if errors.Is(err, fs.ErrNotExist) {
					return nil
				}
				if err != nil {
					t.Fatal(err)
				}
				return data
			},
		}
	})
}

func TestUsageConformance(t *testing.T) {
	statetest.RunUsage(t, func(t *testing.T) state.UsageStore {
		return New(filepath.Join(t.TempDir(), ".meshc", "catalog.json"))
	})
}
