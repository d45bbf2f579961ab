package source

import (
	"time"

	"github.com/meshc-dev/meshc/pkg/internal/gitremote"
)

// ForgetRepos drops the open clones, as a new meshc process starts with
// none: the next fetch opens the cache from disk.
var ForgetRepos = forgetRepos

// DisplayURL is how a repository URL appears in errors and provenance.
var DisplayURL = gitremote.DisplayURL

// SetSlowAfter makes a fetch count as slow sooner, for the test.
func SetSlowAfter(t interface{ Cleanup(func()) }, d time.Duration) {
	old := slowAfter
	slowAfter = d
	t.Cleanup(func() { slowAfter = old })
}
