package git

import (
	"testing"

	"github.com/meshc-dev/meshc/pkg/state"
	"github.com/meshc-dev/meshc/pkg/state/statetest"
)

// TestConformanceFile runs the suite over file://, every handle sharing
// one cache directory, as meshc processes on one machine do.
func TestConformanceFile(t *testing.T) {
	statetest.Run(t, func(t *testing.T) statetest.Storage {
		cache := t.TempDir()
		return fileRemote(t).storage(t, func() string { return cache })
	})
}

// TestConformanceDaemon runs the suite over a loopback git daemon, every
// handle with its own clone, as CI runners on different machines have.
func TestConformanceDaemon(t *testing.T) {
	statetest.Run(t, func(t *testing.T) statetest.Storage {
		return daemonRemote(t).storage(t, func() string { return t.TempDir() })
	})
}

// TestConformanceMemory runs the suite with clones in memory, as meshc
// does when it has no cache directory.
func TestConformanceMemory(t *testing.T) {
	statetest.Run(t, func(t *testing.T) statetest.Storage {
		return fileRemote(t).storage(t, func() string { return "" })
	})
}

// TestUsageConformance runs the usage suite over file:// and over a
// loopback git daemon, each store with its own clone.
func TestUsageConformance(t *testing.T) {
	t.Run("file", func(t *testing.T) {
		statetest.RunUsage(t, func(t *testing.T) state.UsageStore { return fileRemote(t).open(t, t.TempDir()) })
	})
	t.Run("daemon", func(t *testing.T) {
		statetest.RunUsage(t, func(t *testing.T) state.UsageStore { return daemonRemote(t).open(t, t.TempDir()) })
	})
	t.Run("memory", func(t *testing.T) {
		statetest.RunUsage(t, func(t *testing.T) state.UsageStore { return fileRemote(t).open(t, "") })
	})
}
