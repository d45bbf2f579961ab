//go:build unix

package gitremote

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestLockFileExcludes: while one holder has the lock, another open of the
// same file (as another meshc process would make) cannot take it.
func TestLockFileExcludes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "clone", "meshc.lock")
	unlock, err := LockFile(path)
	if err != nil {
		t.Fatal(err)
	}
	other, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if err := syscall.Flock(int(other.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); !errors.Is(err, syscall.EWOULDBLOCK) {
		t.Fatalf("second lock while held: %v, want EWOULDBLOCK", err)
	}
	unlock()
	if err := syscall.Flock(int(other.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		t.Fatalf("second lock after release: %v", err)
	}
}
