package source

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	git "github.com/go-git/go-git/v5"
	gitconfig "github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/storer"

	"github.com/meshc-dev/meshc/pkg/internal/gitremote"
)

// DefaultCacheDir is where git clones are kept when the caller names no
// directory: the user's cache directory's meshc/git.
func DefaultCacheDir() (string, error) {
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("no cache directory for git clones (%v): name one with --cache-dir", err)
	}
	return filepath.Join(dir, "meshc", "git"), nil
}

// RepoDir returns the bare clone that caches the repository at rawURL:
// CacheDir/<first 16 hex digits of the URL's SHA-256>-<its last path
// element>. Credentials in the URL do not change it; a relative local
// path is resolved against Root first.
func (g Git) RepoDir(rawURL string) string {
	return filepath.Join(g.CacheDir, gitremote.CacheName(rawURL, g.Root))
}

// cachedRepo is one bare clone. Its lock serialises every use of it,
// fetches and file reads alike: domains are fetched in parallel, two of
// them may share a repository, and go-git's storage is not safe for
// concurrent use. A fetch waits for it with a context (lockContext); file
// reads through Lock. Across processes, gitremote.LockFile keeps fetches
// into one clone apart.
type cachedRepo struct {
	sem  chan struct{} // holds a token while the clone is in use
	repo *git.Repository

	mu sync.Mutex
	// abandoned is set while the clone's holder is an operation left
	// behind (see request.attempt): one that may never return.
	abandoned bool
}

// Lock waits for the clone, for file reads.
func (c *cachedRepo) Lock() { c.sem <- struct{}{} }

// Unlock lets go of it.
func (c *cachedRepo) Unlock() { <-c.sem }

// lockContext waits for the clone until ctx ends. A fetch that holds it
// ends in bounded time, and is waited for; an operation left behind may
// not, and is waited for patience at most.
func (c *cachedRepo) lockContext(ctx context.Context, patience time.Duration) error {
	t := time.NewTicker(patience)
	defer t.Stop()
	for {
		select {
		case c.sem <- struct{}{}:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
			if c.isAbandoned() {
				return errAbandoned
			}
		}
	}
}

var errAbandoned = errors.New("held by an operation left behind")

func (c *cachedRepo) isAbandoned() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.abandoned
}

func (c *cachedRepo) setAbandoned(b bool) {
	c.mu.Lock()
	c.abandoned = b
	c.mu.Unlock()
}

var repos = struct {
	sync.Mutex
	m map[string]*cachedRepo
}{m: map[string]*cachedRepo{}}

// cacheEntry returns the one cachedRepo of dir in this process.
func cacheEntry(dir string) *cachedRepo {
	repos.Lock()
	defer repos.Unlock()
	c := repos.m[dir]
	if c == nil {
		c = &cachedRepo{sem: make(chan struct{}, 1)}
		repos.m[dir] = c
	}
	return c
}

// open opens the clone at dir, making an empty one for rawURL if there is
// none yet. A clone that is there but cannot be opened is an
// *unreadableError. It is called with c locked.
func (c *cachedRepo) open(dir, rawURL string) (repo *git.Repository, created bool, err error) {
	if c.repo != nil {
		if _, err := os.Stat(dir); err == nil {
			return c.repo, false, nil
		}
		c.repo = nil // removed behind our back: start again
	}
	repo, err = git.PlainOpen(dir)
	switch {
	case errors.Is(err, git.ErrRepositoryNotExists) && !hasContent(dir):
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, false, err
		}
		repo, err = git.PlainInit(dir, true)
		if err == nil {
			// For people looking into the cache; fetches name the URL
			// themselves.
			_, err = repo.CreateRemote(&gitconfig.RemoteConfig{Name: git.DefaultRemoteName, URLs: []string{gitremote.DisplayURL(rawURL)}})
		}
		if err != nil {
			return nil, false, fmt.Errorf("%s: %v", dir, err)
		}
		created = true
	case errors.Is(err, git.ErrRepositoryNotExists):
		return nil, false, &unreadableError{err: errors.New("its HEAD is missing")}
	case err != nil:
		return nil, false, &unreadableError{err: fmt.Errorf("opening it: %v", err)}
	}
	c.repo = repo
	return repo, created || !hasRefs(repo), nil
}

// hasContent tells whether dir holds anything but meshc's lock file.
func hasContent(dir string) bool {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.Name() != gitremote.LockName {
			return true
		}
	}
	return false
}

// hasRefs tells whether anything was ever fetched into repo.
func hasRefs(repo *git.Repository) bool {
	iter, err := repo.References()
	if err != nil {
		return false
	}
	defer iter.Close()
	found := false
	_ = iter.ForEach(func(r *plumbing.Reference) error {
		if r.Name() != plumbing.HEAD {
			found = true
			return storer.ErrStop
		}
		return nil
	})
	return found
}

// forgetRepos drops the open clones, as a new process starts with none.
func forgetRepos() {
	repos.Lock()
	defer repos.Unlock()
	repos.m = map[string]*cachedRepo{}
}
