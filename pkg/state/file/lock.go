package file

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/meshc-dev/meshc/pkg/state"
)

// lockInfo is the content of a lock file: who holds the lock, where and since when.
type lockInfo struct {
	Who  string    `json:"who"`
	PID  int       `json:"pid"`
	Host string    `json:"host"`
	Time time.Time `json:"time"`
}

// lockSettle bounds how long Lock waits for a just-created lock file to get
// its content: the holder creates it empty and writes it at once.
const lockSettle = 250 * time.Millisecond

// Lock takes the lock file <Path>.lock for who, creating the catalog's
// directory if needed. If the lock is held it fails at once with a
// *LockedError naming the holder and since when, unless the holder is a
// process of this host that no longer runs (a crashed or killed apply):
// that lock is broken, and the session's Notices say so.
func (b *Backend) Lock(ctx context.Context, who string) (state.Session, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(b.Path), 0o755); err != nil {
		return nil, fmt.Errorf("lock live catalog: %w", err)
	}
	host, _ := os.Hostname()
	content, err := json.Marshal(lockInfo{Who: who, PID: os.Getpid(), Host: host, Time: time.Now().UTC()})
	if err != nil {
		return nil, fmt.Errorf("lock live catalog: %w", err)
	}
	content = append(content, '\n')
	path := b.Path + ".lock"

	// A lock released between our failed create and our read of it is
	// free again: try a few times before calling it busy.
	var notices []string
	for range 3 {
		err := create(path, content)
		if err == nil {
			return &session{b: b, path: path, content: content, notices: notices}, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("lock live catalog: %w", err)
		}
		held, stale, err := holder(ctx, path)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if held.Host == host && host != "" && held.PID > 0 && held.PID != os.Getpid() && !alive(held.PID) {
			broke, err := breakLock(path, stale)
			if err != nil {
				return nil, err
			}
			if broke {
				notices = append(notices, fmt.Sprintf("broke the lock of %s: its holder, process %d on this host (%s), no longer runs",
					path, held.PID, describeHolder(held)))
			}
			continue
		}
		return nil, held
	}
	return nil, lockedError(path, lockInfo{})
}

// create makes the lock file, failing with fs.ErrExist if it is there.
func create(path string, content []byte) error {
	lf, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	_, err = lf.Write(content)
	if cerr := lf.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(path)
	}
	return err
}

// holder reads the lock file at path and reports its holder, and the
// file's content. A lock file whose holder has not finished writing it yet
// is read again for a moment; one that stays unreadable is reported with
// an unknown holder.
func holder(ctx context.Context, path string) (*state.LockedError, []byte, error) {
	deadline := time.Now().Add(lockSettle)
	for {
		data, err := os.ReadFile(path)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil, nil, err
			}
			return nil, nil, fmt.Errorf("lock live catalog: %w", err)
		}
		var info lockInfo
		if json.Unmarshal(data, &info) == nil {
			return lockedError(path, info), data, nil
		}
		if time.Now().After(deadline) {
			return lockedError(path, lockInfo{}), data, nil
		}
		select {
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		case <-time.After(time.Millisecond):
		}
	}
}

// breakLock removes the lock file at path if it still holds stale, the
// dead holder's content. It moves the file aside first and looks at what
// it moved: a lock another process took meanwhile is put back. It reports
// whether it broke the stale lock.
func breakLock(path string, stale []byte) (bool, error) {
	aside := fmt.Sprintf("%s.broken-%d", path, os.Getpid())
	if err := os.Rename(path, aside); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return false, nil // someone else broke it, or its holder let go
		}
		return false, fmt.Errorf("lock live catalog: breaking a dead holder's lock: %w", err)
	}
	defer os.Remove(aside)
	data, err := os.ReadFile(aside)
	if err == nil && bytes.Equal(data, stale) {
		return true, nil
	}
	// A live holder's lock: give it back unless yet another took its place.
	if err := os.Link(aside, path); err != nil && !errors.Is(err, fs.ErrExist) {
		return false, fmt.Errorf("lock live catalog: restoring %s: %w", path, err)
	}
	return false, nil
}

// describeHolder names a lock's holder and since when.
func describeHolder(e *state.LockedError) string {
	who := e.Who
	if who == "" {
		who = "unknown"
	}
	if !e.Time.IsZero() {
		who += ", since " + e.Time.UTC().Format(time.RFC3339)
	}
	return who
}

func lockedError(path string, info lockInfo) *state.LockedError {
	return &state.LockedError{
		Where: "file " + path,
		Who:   info.Who,
		PID:   info.PID,
		Host:  info.Host,
		Time:  info.Time,
		Hint:  fmt.Sprintf("if no apply is running, remove %s", path),
	}
}

// Notices say what taking the lock did besides: a dead holder's lock
// broken.
func (s *session) Notices() []string { return s.notices }

// stillOurs reports an error if the lock file is gone or was replaced, as
// when someone removed it by hand while we held it.
func (s *session) stillOurs() error {
	data, err := os.ReadFile(s.path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("lock %s was removed while held", s.path)
	case err != nil:
		return err
	case !bytes.Equal(data, s.content):
		return fmt.Errorf("lock %s was removed while held and is now someone else's", s.path)
	}
	return nil
}

// Unlock removes the lock file if it is still ours; a lock file that was
// broken and taken by someone else is left alone, and reported.
func (s *session) Unlock() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.released {
		return nil
	}
	if err := s.stillOurs(); err != nil {
		s.released = true
		return fmt.Errorf("unlock live catalog: %w", err)
	}
	if err := os.Remove(s.path); err != nil {
		return fmt.Errorf("unlock live catalog: %w", err)
	}
	s.released = true
	return nil
}
