//go:build !unix

package gitremote

// LockFile is a no-op where flock is not available: meshc then relies on
// one process using a cache directory at a time.
func LockFile(string) (func(), error) { return func() {}, nil }
