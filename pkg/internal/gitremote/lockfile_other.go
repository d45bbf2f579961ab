//go:build !unix

package gitremote

import "context"

// LockFile is a no-op where flock is not available: meshc then relies on
// one process using a cache directory at a time.
func LockFile(context.Context, string) (func(), error) { return func() {}, nil }
