//go:build !unix

package source

import "context"

// lockFile is a no-op where flock is not available: meshc then relies on
// one process using a cache directory at a time.
func lockFile(context.Context, string) (func(), error) { return func() {}, nil }
