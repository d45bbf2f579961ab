//go:build unix

package gitremote

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// LockFile takes an exclusive advisory lock on path, waiting for another
// process that holds it, and returns its release. The kernel drops the
// lock if the process dies, so a crash never leaves the cache locked.
func LockFile(path string) (unlock func(), err error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("locking %s: %w", path, err)
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
