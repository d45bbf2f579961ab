//go:build unix

package git

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/meshc-dev/meshc/pkg/internal/gitremote"
	"github.com/meshc-dev/meshc/pkg/state"
)

// TestCloneHeldByAnotherProcess: a clone whose lock file another meshc
// holds (and never lets go of) is waited for three times the timeout, not
// forever, and the error says the clone is in use.
func TestCloneHeldByAnotherProcess(t *testing.T) {
	r := fileRemote(t)
	b, err := New(Options{Repo: r.URL, CacheDir: t.TempDir(), Timeout: 50 * time.Millisecond, Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	// Another open file description, as another process would have.
	unlock, err := gitremote.LockFile(t.Context(), filepath.Join(b.dir, gitremote.LockName))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := state.NewStore(b).Read(t.Context())
		done <- err
	}()
	select {
	case err = <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Read still waits for the held clone after 10s")
	}
	var ge *gitremote.Error
	if !errors.As(err, &ge) || !strings.Contains(err.Error(), "has been in use by another operation for 150ms") {
		t.Errorf("Read of a held clone: err = %v; want it to say the clone is in use", err)
	}
	unlock()
	if _, err := state.NewStore(b).Read(t.Context()); err != nil {
		t.Errorf("Read once the clone is free: %v", err)
	}
}
