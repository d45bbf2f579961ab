package file

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/meshc-dev/meshc/pkg/state"
	"github.com/meshc-dev/meshc/pkg/state/statetest"
)

// deadPID returns the PID of a process of this host that has exited.
func deadPID(t *testing.T) int {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return cmd.Process.Pid
}

// plantLock writes a lock file held by pid on host.
func plantLock(t *testing.T, s testStore, pid int, host string) string {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(s.Path), 0o755); err != nil {
		t.Fatal(err)
	}
	lock := fmt.Sprintf(`{"who":"carol (meshc apply)","pid":%d,"host":%q,"time":"2026-01-02T03:04:05Z"}`, pid, host)
	if err := os.WriteFile(s.Path+".lock", []byte(lock), 0o644); err != nil {
		t.Fatal(err)
	}
	return lock
}

// TestLockOfDeadHolderIsBroken: an apply killed with its lock held on
// this host does not block the next one: the lock is broken, with a
// notice naming the holder.
func TestLockOfDeadHolderIsBroken(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no signal 0 to tell a dead process")
	}
	s := newStore(t)
	host, _ := os.Hostname()
	pid := deadPID(t)
	plantLock(t, s, pid, host)
	l, err := s.Lock(t.Context(), "dave")
	if err != nil {
		t.Fatalf("Lock over a dead holder's lock: %v", err)
	}
	defer l.Unlock()
	n, ok := l.(state.Noticer)
	if !ok || len(n.Notices()) != 1 {
		t.Fatalf("notices: %v; want one", n)
	}
	if got := n.Notices()[0]; !strings.Contains(got, fmt.Sprintf("process %d on this host", pid)) || !strings.Contains(got, "carol (meshc apply), since 2026-01-02T03:04:05Z") {
		t.Errorf("notice = %q", got)
	}
	if err := l.Write(t.Context(), statetest.Sample(), 0); err != nil {
		t.Fatalf("Write under the broken lock: %v", err)
	}
}

// TestLockOfLiveOrRemoteHolderStands: a lock whose holder runs, or runs on
// another host, is never broken.
func TestLockOfLiveOrRemoteHolderStands(t *testing.T) {
	host, _ := os.Hostname()
	for name, tc := range map[string]struct {
		pid  int
		host string
	}{
		"live here":     {os.Getppid(), host},
		"dead PID, far": {deadPID(t), "another-host"},
	} {
		t.Run(name, func(t *testing.T) {
			s := newStore(t)
			lock := plantLock(t, s, tc.pid, tc.host)
			_, err := s.Lock(t.Context(), "dave")
			var locked *state.LockedError
			if !errors.As(err, &locked) || !strings.Contains(err.Error(), "since 2026-01-02T03:04:05Z") {
				t.Fatalf("Lock = %v; want a LockedError naming the holder and since when", err)
			}
			if got, _ := os.ReadFile(s.Path + ".lock"); string(got) != lock {
				t.Errorf("the lock was broken: %q", got)
			}
		})
	}
}

// TestWriteRemovesCrashLeftovers: temp files a crashed write left beside
// the catalog are removed by the next write.
func TestWriteRemovesCrashLeftovers(t *testing.T) {
	s := newStore(t)
	if err := os.MkdirAll(filepath.Dir(s.Path), 0o755); err != nil {
		t.Fatal(err)
	}
	left := s.Path + ".tmp-1234567"
	if err := os.WriteFile(left, []byte(strings.Repeat("x", 1<<20)), 0o644); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(filepath.Dir(s.Path), "notes.tmp-1")
	if err := os.WriteFile(other, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	l, err := s.Lock(t.Context(), "dave")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Unlock()
	if err := l.Write(t.Context(), statetest.Sample(), 0); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(left); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("leftover %s still there (%v)", left, err)
	}
	if _, err := os.Stat(other); err != nil {
		t.Errorf("a file not the catalog's was removed: %v", err)
	}
}
