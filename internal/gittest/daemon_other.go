//go:build !unix

package gittest

import "testing"

// Daemon serves repositories over git://; only on unix systems.
type Daemon struct{ URL string }

// StartDaemon skips the test: the daemon is run only on unix systems.
func StartDaemon(t testing.TB, base string) *Daemon {
	t.Skip("git daemon tests run on unix systems only")
	return nil
}

// StartWritableDaemon skips the test: the daemon is run only on unix systems.
func StartWritableDaemon(t testing.TB, base string) *Daemon {
	t.Skip("git daemon tests run on unix systems only")
	return nil
}

// RepoURL returns r's git:// URL.
func (d *Daemon) RepoURL(t testing.TB, base string, r *Repo) string { return "" }

// FreePort is not available here.
func FreePort(t testing.TB) int {
	t.Skip("unix only")
	return 0
}

// ClosedURL is not available here.
func ClosedURL(t testing.TB) string {
	t.Skip("unix only")
	return ""
}
