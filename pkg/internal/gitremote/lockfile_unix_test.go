//go:build unix

package gitremote

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestLockFileExcludes: while one holder has the lock, another open of the
// same file (as another meshc process would make) cannot take it.
func TestLockFileExcludes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "clone", "meshc.lock")
	unlock, err := LockFile(context.Background(), path)
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

// Waiting for the lock ends with the context.
func TestLockFileWaitEnds(t *testing.T) {
	path := filepath.Join(t.TempDir(), "clone", "meshc.lock")
	unlock, err := LockFile(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := LockFile(ctx, path); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("second lock: %v; want context.DeadlineExceeded", err)
	}
}

// A waiter whose lock file was moved away while it waited (the clone moved
// aside to be cloned again) takes the lock of the file now at the path.
func TestLockFileFollowsMove(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "clone")
	path := filepath.Join(dir, "meshc.lock")
	unlock, err := LockFile(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan func(), 1)
	go func() {
		u, err := LockFile(context.Background(), path)
		if err != nil {
			t.Error(err)
		}
		got <- u
	}()
	time.Sleep(20 * time.Millisecond) // let it wait on the old file (not a timing assertion: it passes either way)
	if err := os.Rename(dir, dir+".unreadable"); err != nil {
		t.Fatal(err)
	}
	unlock()
	var u func()
	select {
	case u = <-got:
	case <-time.After(10 * time.Second):
		t.Fatal("the waiter did not get the lock within 10s")
	}
	defer u()
	now, err := os.Open(path)
	if err != nil {
		t.Fatalf("no lock file at %s: %v", path, err)
	}
	defer now.Close()
	if err := syscall.Flock(int(now.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); !errors.Is(err, syscall.EWOULDBLOCK) {
		t.Errorf("the lock file at the path is free (%v): the waiter holds the moved one", err)
	}
}
