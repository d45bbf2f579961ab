package postgres

import (
	"fmt"
	"testing"

	"github.com/meshc-dev/meshc/internal/pgtest"
	"github.com/meshc-dev/meshc/pkg/state"
	"github.com/meshc-dev/meshc/pkg/state/statetest"
)

// TestConformance runs the suite with every storage a catalog of its own
// in one shared database, as several meshes would share one.
func TestConformance(t *testing.T) {
	c := pgtest.Start(t)
	conformance(t, c.URL(pgtest.Superuser, c.NewDatabase(t, "")))
}

// TestConformanceBehindPooler runs the suite through PgBouncer in
// transaction mode, with fewer server connections than clients: the lock
// must hold although each transaction may run on another server
// connection.
func TestConformanceBehindPooler(t *testing.T) {
	c := pgtest.Start(t)
	conformance(t, c.Pooler(t, c.NewDatabase(t, "")))
}

func conformance(t *testing.T, dbURL string) {
	statetest.Run(t, func(t *testing.T) statetest.Storage {
		url := fmt.Sprintf("%s&catalog=c%d", dbURL, catalogs.Add(1))
		b := mustNew(t, url)
		return statetest.Storage{
			Open:  func() state.Backend { return mustNew(t, url) },
			Plant: func(data []byte) bool { return plant(t, b, data) },
			Raw:   func() []byte { return dump(t, b) },
		}
	})
}

// TestUsageConformance runs the usage suite, a catalog of its own each.
func TestUsageConformance(t *testing.T) {
	c := pgtest.Start(t)
	db := c.URL(pgtest.Superuser, c.NewDatabase(t, ""))
	statetest.RunUsage(t, func(t *testing.T) state.UsageStore {
		return mustNew(t, fmt.Sprintf("%s&catalog=c%d", db, catalogs.Add(1)))
	})
}
