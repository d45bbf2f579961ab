package git

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	git "github.com/go-git/go-git/v5"
	gitconfig "github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/meshc-dev/meshc/pkg/internal/gitremote"
	"github.com/meshc-dev/meshc/pkg/state"
)

// lockFile is the file of a lock commit that names its holder.
const lockFile = "lock.json"

// lockInfo is who holds the lock, where and since when; ID makes every
// lock commit unique, so that a holder knows its own.
type lockInfo struct {
	Who  string    `json:"who"`
	PID  int       `json:"pid"`
	Host string    `json:"host"`
	Time time.Time `json:"time"`
	ID   string    `json:"id"`
}

// Lock takes the lock: it pushes a new commit naming who as the lock ref
// refs/meshc/lock/BRANCH, which the remote accepts only if the ref does
// not exist yet. If it exists, Lock fails at once with a *LockedError
// naming the holder the ref's commit records, and how long ago it took the
// lock; it never breaks a lock, even one left by a crash.
func (b *Backend) Lock(ctx context.Context, who string) (state.Session, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	host, _ := os.Hostname()
	var id [8]byte
	rand.Read(id[:])
	info := lockInfo{Who: who, PID: os.Getpid(), Host: host, Time: b.o.Now().UTC().Truncate(time.Second), ID: hex.EncodeToString(id[:])}

	// A lock released between our failed push and our look at it is free
	// again: try a few times before calling it busy.
	var lastErr error
	for range 3 {
		var mine plumbing.Hash
		var locked *state.LockedError
		err := b.with(ctx, func(ctx context.Context, r *git.Repository) error {
			var err error
			if mine, err = lockCommit(r, info); err != nil {
				return fmt.Errorf("live catalog %s: lock: %v", b.where(), err)
			}
			perr := b.push(ctx, r, gitconfig.RefSpec(mine.String()+":"+b.lockRef.String()))
			if perr == nil {
				return nil
			}
			// Whether the push was refused or its answer lost, the
			// remote says who has the lock now.
			refs, err := b.list(ctx, r)
			if err != nil {
				return err
			}
			cur, held := refs[b.lockRef]
			switch {
			case held && cur == mine:
				return nil
			case held:
				locked, err = b.holder(ctx, r, cur)
				return err
			}
			lastErr = b.fail("locking", perr)
			switch gitremote.Classify(perr) {
			case gitremote.AuthFailed, gitremote.NotFound, gitremote.HostKey:
				return lastErr // trying again will not help
			}
			return errRetry
		})
		switch {
		case errors.Is(err, errRetry):
			continue
		case err != nil:
			return nil, err
		case locked != nil:
			return nil, locked
		}
		return &session{b: b, lock: mine}, nil
	}
	if lastErr == nil { // held each time we pushed, gone each time we looked
		lastErr = b.lockedError(lockInfo{})
	}
	return nil, lastErr
}

var errRetry = errors.New("retry")

// lockCommit writes the lock commit for info into the clone: a root
// commit holding lock.json alone.
func lockCommit(r *git.Repository, info lockInfo) (plumbing.Hash, error) {
	data, err := json.MarshalIndent(info, "", "  ")
	if err != nil {
		return plumbing.ZeroHash, err
	}
	blob, err := writeBlob(r.Storer, append(data, '\n'))
	if err != nil {
		return plumbing.ZeroHash, err
	}
	tree, err := putFile(r.Storer, nil, []string{lockFile}, blob)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	sig := object.Signature{Name: oneLine(info.Who, "meshc"), Email: committerEmail, When: info.Time}
	return writeCommit(r.Storer, &object.Commit{
		Author:    sig,
		Committer: sig,
		Message:   fmt.Sprintf("meshc lock held by %s\n\npid %d on %s since %s\n", oneLine(info.Who, "?"), info.PID, oneLine(info.Host, "?"), info.Time.Format(time.RFC3339)),
		TreeHash:  tree,
	})
}

// holder reads the lock commit h and reports its holder. A lock commit
// that cannot be read is reported with an unknown holder.
func (b *Backend) holder(ctx context.Context, r *git.Repository, h plumbing.Hash) (*state.LockedError, error) {
	if !hasCommit(r, h) {
		err := b.fetch(ctx, r, b.lockRef, b.lockRef)
		if errors.Is(err, errGone) {
			return nil, errRetry
		}
		if err != nil {
			return nil, err
		}
	}
	return b.lockedError(readLock(r, h)), nil
}

// readLock returns the holder a lock commit records; zero if it has none.
func readLock(r *git.Repository, h plumbing.Hash) lockInfo {
	var info lockInfo
	c, err := object.GetCommit(r.Storer, h)
	if err != nil {
		return info
	}
	f, err := c.File(lockFile)
	if err != nil || f.Size > 64<<10 {
		return info
	}
	rd, err := f.Reader()
	if err != nil {
		return info
	}
	defer rd.Close()
	data, err := io.ReadAll(rd)
	if err != nil || json.Unmarshal(data, &info) != nil {
		return lockInfo{}
	}
	return info
}

func (b *Backend) lockedError(info lockInfo) *state.LockedError {
	hint := fmt.Sprintf("if no apply is running, delete it: git push %s :%s", b.shown, b.lockRef)
	if !info.Time.IsZero() {
		age := b.o.Now().Sub(info.Time).Truncate(time.Second)
		hint = fmt.Sprintf("it was taken %s ago; %s", max(age, 0), hint)
	}
	return &state.LockedError{
		Where: fmt.Sprintf("lock ref %s in %s", b.lockRef, b.shown),
		Who:   info.Who,
		PID:   info.PID,
		Host:  info.Host,
		Time:  info.Time,
		Hint:  hint,
	}
}

// session is the lock held through the lock ref, with the branch tip and
// catalog blob its last Read saw.
type session struct {
	b    *Backend
	lock plumbing.Hash // our lock commit

	mu       sync.Mutex
	released bool
	tip      plumbing.Hash // the branch's tip at the last Read; zero if none
	blob     plumbing.Hash // the catalog's blob at tip; zero if none
	// doc and index are the document and its index at tip when the last
	// read was a ReadPart, for ReplacePart to splice into.
	doc, index []byte
}

// Read fetches the branch's tip and returns the catalog in it, after
// checking that the lock is still ours.
func (s *session) Read(ctx context.Context) (*state.Catalog, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.released {
		return nil, fmt.Errorf("live catalog %s: the lock was already released", s.b.where())
	}
	s.doc, s.index = nil, nil
	var c *state.Catalog
	err := s.b.with(ctx, func(ctx context.Context, r *git.Repository) error {
		refs, err := s.b.list(ctx, r)
		if err != nil {
			return err
		}
		if err := s.held(ctx, r, refs); err != nil {
			return err
		}
		tip, err := s.b.fetchTip(ctx, r, refs)
		if err != nil {
			return err
		}
		var blob plumbing.Hash
		if c, blob, err = s.b.readAt(r, tip); err != nil {
			return err
		}
		s.tip, s.blob = tip, blob
		return nil
	})
	return c, err
}

// held reports an error unless refs show our lock.
func (s *session) held(ctx context.Context, r *git.Repository, refs map[plumbing.ReferenceName]plumbing.Hash) error {
	cur, ok := refs[s.b.lockRef]
	switch {
	case !ok:
		return fmt.Errorf("live catalog %s: the lock %s was deleted while held", s.b.where(), s.b.lockRef)
	case cur != s.lock:
		who := "someone else"
		if l, err := s.b.holder(ctx, r, cur); err == nil && l.Who != "" {
			who = l.Who
		}
		return fmt.Errorf("live catalog %s: the lock %s was deleted while held and is now %s's", s.b.where(), s.b.lockRef, who)
	}
	return nil
}

// Unlock deletes the lock ref if it is still our commit; a lock that was
// broken and taken by someone else is left alone, and reported.
func (s *session) Unlock() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.released {
		return nil
	}
	// Not the caller's context: a lock must be released even when the
	// apply was canceled.
	err := s.b.with(context.Background(), func(ctx context.Context, r *git.Repository) error {
		perr := s.b.push(ctx, r, gitconfig.RefSpec(":"+s.b.lockRef.String()), gitconfig.RefSpec(s.lock.String()+":"+s.b.lockRef.String()))
		if perr == nil {
			return nil
		}
		refs, err := s.b.list(ctx, r)
		if err != nil {
			return err
		}
		if cur, ok := refs[s.b.lockRef]; ok && cur == s.lock {
			return s.b.fail("unlocking", perr)
		}
		s.released = true // not ours any more: nothing to release
		return s.held(ctx, r, refs)
	})
	if err != nil {
		return fmt.Errorf("unlock: %w", err)
	}
	s.released = true
	return nil
}

// push pushes spec to the remote; require, if given, is the remote
// value a ref must have for the push to be sent (its "lease").
func (b *Backend) push(ctx context.Context, r *git.Repository, spec gitconfig.RefSpec, require ...gitconfig.RefSpec) error {
	if b.authErr != nil {
		return b.authErr
	}
	err := b.remote(r).PushContext(ctx, &git.PushOptions{
		RemoteName:        git.DefaultRemoteName,
		RefSpecs:          []gitconfig.RefSpec{spec},
		RequireRemoteRefs: require,
		Auth:              b.auth,
	})
	if errors.Is(err, git.NoErrAlreadyUpToDate) {
		return nil
	}
	return err
}
