package postgres

import (
	"testing"

	"github.com/meshc-dev/meshc/internal/pgtest"
	"github.com/meshc-dev/meshc/pkg/state"
	"github.com/meshc-dev/meshc/pkg/state/statetest"
)

// TestConformance runs the suite with every storage a catalog of its own
// in one shared database, as several meshes would share one.
func TestConformance(t *testing.T) {
	c := pgtest.Start(t)
	db := c.NewDatabase(t, "")
	statetest.Run(t, func(t *testing.T) statetest.Storage {
		b := newBackend(t, c, db)
		url := b.where + "&catalog=" + b.catalog
		return statetest.Storage{
			Open:  func() state.Backend { return mustNew(t, url) },
			Plant: func(data []byte) bool { return plant(t, b, data) },
			Raw:   func() []byte { return dump(t, b) },
		}
	})
}
