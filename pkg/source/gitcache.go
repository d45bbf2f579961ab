package source

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

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

// cachedRepo is one bare clone. mu serialises every use of it, fetches
// and file reads alike: domains are fetched in parallel, two of them may
// share a repository, and go-git's storage is not safe for concurrent use.
// Across processes, gitremote.LockFile keeps fetches into one clone apart.
type cachedRepo struct {
	mu   sync.Mutex
	repo *git.Repository
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
		c = &cachedRepo{}
		repos.m[dir] = c
	}
	return c
}

// open opens the clone at dir, making an empty one for rawURL if there is
// none yet. It is called with c.mu held.
func (c *cachedRepo) open(dir, rawURL string) (repo *git.Repository, created bool, err error) {
	if c.repo != nil {
		if _, err := os.Stat(dir); err == nil {
			return c.repo, false, nil
		}
		c.repo = nil // removed behind our back: start again
	}
	repo, err = git.PlainOpen(dir)
	if errors.Is(err, git.ErrRepositoryNotExists) {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, false, err
		}
		repo, err = git.PlainInit(dir, true)
		if err == nil {
			// For people looking into the cache; fetches name the URL
			// themselves.
			_, err = repo.CreateRemote(&gitconfig.RemoteConfig{Name: git.DefaultRemoteName, URLs: []string{gitremote.DisplayURL(rawURL)}})
		}
		created = true
	}
	if err != nil {
		return nil, false, fmt.Errorf("%s: %v (remove it to clone again)", dir, err)
	}
	c.repo = repo
	return repo, created || !hasRefs(repo), nil
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
