package git

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/go-git/go-billy/v5/osfs"
	git "github.com/go-git/go-git/v5"
	gitconfig "github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/transport"
	"github.com/go-git/go-git/v5/storage/filesystem"
	"github.com/go-git/go-git/v5/storage/memory"

	"github.com/meshc-dev/meshc/pkg/internal/gitremote"
	"github.com/meshc-dev/meshc/pkg/state"
)

// Defaults for Options' zero fields.
const (
	DefaultBranch  = "meshc-catalog"
	DefaultPath    = "catalog.json"
	DefaultTimeout = 2 * time.Minute
)

// maxCatalog bounds the catalog document read from the repository: it is
// untrusted input, and a blob is read whole.
const maxCatalog = 256 << 20

// Options configures a Backend.
type Options struct {
	// Repo is the repository's URL (https://, ssh://, scp-like, git://,
	// file://) or local path.
	Repo string
	// Branch holds the catalog; "" is DefaultBranch.
	Branch string
	// Path is the catalog's file in the branch, slash-separated; "" is
	// DefaultPath.
	Path string
	// Root is what a relative local Repo path is relative to; "" is the
	// working directory.
	Root string
	// CacheDir is meshc's cache root: the clone is kept in
	// CacheDir/state/<repository>. "" keeps it in memory, for this
	// process only.
	CacheDir string
	// Getenv reads credentials (MESHC_GIT_TOKEN, GITHUB_TOKEN,
	// MESHC_SSH_KEY, SSH_AUTH_SOCK); nil is os.Getenv.
	Getenv func(string) string
	// Timeout bounds each exchange with the remote (a read, a lock, a
	// write, an unlock), so that a hung remote cannot hang meshc; 0 is
	// DefaultTimeout.
	Timeout time.Duration
	// Now is the clock, for the lock's time and age and the commits; nil
	// is time.Now.
	Now func() time.Time
}

// Backend keeps the live catalog as a file in a branch of a git
// repository, with a lock ref beside it (see the package doc).
type Backend struct {
	o       Options
	url     string // as handed to go-git
	shown   string // as shown to people: credentials redacted
	branch  plumbing.ReferenceName
	lockRef plumbing.ReferenceName
	dir     string // the clone; "" in memory
	auth    transport.AuthMethod
	authErr error
	secrets []string // never shown in a message

	mu  sync.Mutex // the in-memory clone
	mem *git.Repository
}

var (
	_ state.Backend     = (*Backend)(nil)
	_ state.PartReader  = (*Backend)(nil)
	_ state.PartSession = (*session)(nil)
)

// New checks o and returns its backend. Nothing is cloned or fetched
// before the first Read or Lock.
func New(o Options) (*Backend, error) {
	if o.Branch == "" {
		o.Branch = DefaultBranch
	}
	if o.Path == "" {
		o.Path = DefaultPath
	}
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	b := &Backend{o: o, shown: gitremote.DisplayURL(strings.TrimSpace(o.Repo))}
	b.branch = plumbing.NewBranchReferenceName(o.Branch)
	if err := b.branch.Validate(); err != nil || strings.HasPrefix(o.Branch, "refs/") {
		return nil, fmt.Errorf("branch %q is not a valid branch name", o.Branch)
	}
	b.lockRef = plumbing.ReferenceName("refs/meshc/lock/" + o.Branch)
	p, err := cleanPath(o.Path)
	if err != nil {
		return nil, err
	}
	b.o.Path = p
	u, ep, err := gitremote.Endpoint(o.Repo, o.Root)
	if err != nil {
		return nil, fmt.Errorf("bad git URL %s: %v", b.shown, err)
	}
	b.url = u
	// A missing credential matters only once the network is needed.
	b.auth, b.authErr = gitremote.Auth(ep, o.Getenv)
	b.secrets = secrets(o.Repo, ep, o.Getenv)
	if o.CacheDir != "" {
		b.dir = filepath.Join(o.CacheDir, "state", gitremote.CacheName(o.Repo, o.Root))
	}
	return b, nil
}

// cleanPath checks the catalog's path in the repository and returns it
// cleaned.
func cleanPath(p string) (string, error) {
	p = strings.ReplaceAll(strings.TrimSpace(p), `\`, "/")
	c := path.Clean(p)
	switch {
	case path.IsAbs(p):
		return "", fmt.Errorf("path %s must be relative to the repository root", p)
	case c == "." || strings.HasSuffix(p, "/"):
		return "", fmt.Errorf("path %s names a directory, not the catalog's file", p)
	case c == ".." || strings.HasPrefix(c, "../"):
		return "", fmt.Errorf("path %s leaves the repository", p)
	}
	for _, part := range strings.Split(c, "/") {
		if part == ".git" {
			return "", fmt.Errorf("path %s is inside .git", p)
		}
	}
	return c, nil
}

// secrets are the credentials that may appear in go-git's messages: the
// URL's user and password, and the token from the environment.
func secrets(raw string, ep *transport.Endpoint, getenv func(string) string) []string {
	var out []string
	add := func(s string) {
		if len(s) >= 4 { // shorter ones would mangle messages
			out = append(out, s, url.QueryEscape(s), url.PathEscape(s))
		}
	}
	if u, err := url.Parse(strings.TrimSpace(raw)); err == nil && u.User != nil && u.Scheme != "ssh" {
		if pw, ok := u.User.Password(); ok {
			add(pw)
		} else {
			add(u.User.Username()) // a token, as GitHub takes it
		}
	}
	if ep.Protocol == "https" || ep.Protocol == "http" {
		add(getenv(gitremote.EnvToken))
		add(getenv(gitremote.EnvGitHubToken))
	}
	return out
}

// Describe names the backend and where it keeps the catalog, e.g. "git
// https://github.com/acme/platform#meshc-catalog:catalog.json".
func (b *Backend) Describe() string { return "git " + b.where() }

// where is the catalog's location: URL#BRANCH:PATH.
func (b *Backend) where() string { return b.shown + "#" + b.o.Branch + ":" + b.o.Path }

// Read fetches the branch's tip (shallow) and returns the catalog in it,
// or nil if there is no branch or no file yet.
func (b *Backend) Read(ctx context.Context) (*state.Catalog, error) {
	var c *state.Catalog
	err := b.with(ctx, func(ctx context.Context, r *git.Repository) error {
		tip, err := b.tip(ctx, r)
		if err != nil {
			return err
		}
		c, _, err = b.readAt(r, tip)
		return err
	})
	return c, err
}

// ReadPart fetches the branch's tip as Read does and reads the products
// choose names through the index committed with the catalog, beside it
// (IndexPath), in that same commit. ok is false, with no error, when the
// tip has no catalog or no index meshc can trust for it: none (a branch
// written by an older meshc), one that is not a file or too big, or one
// left from before the catalog was edited on the branch.
func (b *Backend) ReadPart(ctx context.Context, choose state.Choose) (*state.Catalog, *state.Index, bool, error) {
	var doc, index []byte
	err := b.with(ctx, func(ctx context.Context, r *git.Repository) error {
		tip, err := b.tip(ctx, r)
		if err != nil || tip.IsZero() {
			return err
		}
		// Anything wrong with the index only means reading the catalog
		// whole, which reports what is wrong with the commit, if anything.
		data, blob, err := b.fileAt(r, tip, b.IndexPath(), state.MaxIndex)
		if err != nil || blob.IsZero() {
			return nil
		}
		if doc, _, err = b.docAt(r, tip); err != nil {
			return err
		}
		index = data
		return nil
	})
	if err != nil || doc == nil || index == nil {
		return nil, nil, false, err
	}
	c, idx, ok := state.DecodePart(doc, index, choose)
	return c, idx, ok, nil
}

// IndexPath is the file on the branch that keeps the index of the
// catalog, beside it: state.IndexPath of its path (catalog.index.json).
func (b *Backend) IndexPath() string { return state.IndexPath(b.o.Path) }

// with runs f on the clone, under a context bounded by the timeout. A
// clone on disk is used by one goroutine and one process at a time (and
// opened afresh each time, to see what another process fetched); the
// timeout starts once it is ours.
func (b *Backend) with(ctx context.Context, f func(context.Context, *git.Repository) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return b.withRepo(ctx, func(r *git.Repository) error {
		tctx, cancel := context.WithTimeout(ctx, b.o.Timeout)
		defer cancel()
		err := f(tctx, r)
		if err != nil && ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
			return &gitremote.Error{Msg: fmt.Sprintf("live catalog %s: the remote did not answer within %s", b.where(), b.o.Timeout), Cause: err}
		}
		return err
	})
}

// withRepo runs f on the clone once this goroutine and this process hold
// it. Another holder's exchange ends within the timeout; the clone is
// waited for three times that at most, and as long as ctx lasts.
func (b *Backend) withRepo(ctx context.Context, f func(*git.Repository) error) error {
	if b.dir == "" {
		b.mu.Lock()
		defer b.mu.Unlock()
		if b.mem == nil {
			r, err := git.Init(memory.NewStorage(), nil)
			if err != nil {
				return err
			}
			b.mem = r
		}
		return f(b.mem)
	}
	wait := 3 * b.o.Timeout
	lctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	held := func(err error) error {
		if ctx.Err() != nil {
			return fmt.Errorf("live catalog %s: %w", b.where(), ctx.Err())
		}
		if lctx.Err() != nil {
			return &gitremote.Error{Msg: fmt.Sprintf("live catalog %s: its clone %s has been in use by another operation for %s: try again once the other meshc is done", b.where(), b.dir, wait), Cause: err}
		}
		return fmt.Errorf("live catalog %s: clone %s: %v", b.where(), b.dir, err)
	}
	sem := dirLock(b.dir)
	select {
	case sem <- struct{}{}:
	case <-lctx.Done():
		return held(lctx.Err())
	}
	defer func() { <-sem }()
	unlock, err := gitremote.LockFile(lctx, filepath.Join(b.dir, gitremote.LockName))
	if err != nil {
		return held(err)
	}
	defer unlock()
	r, err := openClone(b.dir)
	if errors.Is(err, git.ErrRepositoryNotExists) {
		if _, err = git.PlainInit(b.dir, true); err == nil {
			r, err = openClone(b.dir)
		}
	}
	if err != nil {
		return fmt.Errorf("live catalog %s: clone %s: %v (remove it to clone again)", b.where(), b.dir, err)
	}
	return f(r)
}

// largeObject is the size from which the clone on disk reads a blob as
// it is asked for, straight into the caller's buffer, rather than first
// into an object in memory that grows as it is read: the catalog's
// document, which is read once and can be a hundred megabytes and more.
const largeObject = 1 << 20

// openClone opens the bare clone at dir, as git.PlainOpen does, reading
// large objects as they are asked for.
func openClone(dir string) (*git.Repository, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	st := filesystem.NewStorageWithOptions(osfs.New(dir), cache.NewObjectLRUDefault(), filesystem.Options{LargeObjectThreshold: largeObject})
	return git.Open(st, nil)
}

var dirLocks sync.Map // clone directory -> chan struct{}, holding a token while in use

func dirLock(dir string) chan struct{} {
	sem, _ := dirLocks.LoadOrStore(dir, make(chan struct{}, 1))
	return sem.(chan struct{})
}

func (b *Backend) remote(r *git.Repository) *git.Remote {
	return git.NewRemote(r.Storer, &gitconfig.RemoteConfig{Name: git.DefaultRemoteName, URLs: []string{b.url}})
}

// list returns the remote's refs (ls-remote); an empty repository has none.
func (b *Backend) list(ctx context.Context, r *git.Repository) (map[plumbing.ReferenceName]plumbing.Hash, error) {
	if b.authErr != nil {
		return nil, fmt.Errorf("live catalog %s: %s", b.where(), b.scrub(b.authErr.Error()))
	}
	refs, err := b.remote(r).ListContext(ctx, &git.ListOptions{Auth: b.auth})
	if errors.Is(err, transport.ErrEmptyRemoteRepository) {
		return map[plumbing.ReferenceName]plumbing.Hash{}, nil
	}
	if err != nil {
		return nil, b.fail("reading", err)
	}
	m := make(map[plumbing.ReferenceName]plumbing.Hash, len(refs))
	for _, ref := range refs {
		if ref.Type() == plumbing.HashReference {
			m[ref.Name()] = ref.Hash()
		}
	}
	return m, nil
}

// errGone is a ref deleted between listing and fetching it.
var errGone = errors.New("the ref was deleted while fetching it")

// fetch brings the remote ref name into the clone as local, shallowly.
func (b *Backend) fetch(ctx context.Context, r *git.Repository, name, local plumbing.ReferenceName) error {
	err := b.remote(r).FetchContext(ctx, &git.FetchOptions{
		RefSpecs: []gitconfig.RefSpec{gitconfig.RefSpec("+" + name.String() + ":" + local.String())},
		Depth:    1,
		Auth:     b.auth,
		Tags:     git.NoTags,
		Force:    true,
	})
	var nm git.NoMatchingRefSpecError
	switch {
	case err == nil, errors.Is(err, git.NoErrAlreadyUpToDate):
		return nil
	case errors.Is(err, transport.ErrEmptyRemoteRepository), errors.As(err, &nm):
		return errGone
	}
	return b.fail("fetching", err)
}

// tracking is where the clone keeps the remote branch.
func (b *Backend) tracking() plumbing.ReferenceName {
	return plumbing.NewRemoteReferenceName(git.DefaultRemoteName, b.o.Branch)
}

// fetchTip brings the branch's tip, as refs lists it, into the clone and
// returns it; the zero hash if there is no branch.
// tip lists the remote's refs and fetches the branch's tip into r; the
// zero hash when there is no branch yet.
func (b *Backend) tip(ctx context.Context, r *git.Repository) (plumbing.Hash, error) {
	refs, err := b.list(ctx, r)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	return b.fetchTip(ctx, r, refs)
}

func (b *Backend) fetchTip(ctx context.Context, r *git.Repository, refs map[plumbing.ReferenceName]plumbing.Hash) (plumbing.Hash, error) {
	tip, ok := refs[b.branch]
	if !ok {
		return plumbing.ZeroHash, nil
	}
	if hasCommit(r, tip) {
		return tip, nil
	}
	err := b.fetch(ctx, r, b.branch, b.tracking())
	if errors.Is(err, errGone) {
		return plumbing.ZeroHash, nil
	}
	if err != nil {
		return plumbing.ZeroHash, err
	}
	// What was fetched, which may be newer than what was listed.
	ref, err := r.Reference(b.tracking(), false)
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("live catalog %s: fetched branch %s not in the clone: %v", b.where(), b.o.Branch, err)
	}
	return ref.Hash(), nil
}

func hasCommit(r *git.Repository, h plumbing.Hash) bool {
	_, err := object.GetCommit(r.Storer, h)
	return err == nil
}

// readAt returns the catalog at commit tip and its blob: nil and the zero
// hash if tip is zero or has no file at the path. A document meshc cannot
// use is a *state.CorruptError.
func (b *Backend) readAt(r *git.Repository, tip plumbing.Hash) (*state.Catalog, plumbing.Hash, error) {
	if tip.IsZero() {
		return nil, plumbing.ZeroHash, nil
	}
	data, blob, err := b.docAt(r, tip)
	if err != nil || blob.IsZero() {
		return nil, plumbing.ZeroHash, err
	}
	c, err := state.Decode(data)
	if ce, ok := errors.AsType[*state.CorruptError](err); ok {
		return nil, plumbing.ZeroHash, b.corrupt(tip, ce)
	}
	return c, blob, err
}

// docAt returns the bytes of the catalog document at commit tip and its
// blob: nil and the zero hash if tip is zero or has no file at the path.
// An entry meshc cannot read is a *state.CorruptError.
func (b *Backend) docAt(r *git.Repository, tip plumbing.Hash) ([]byte, plumbing.Hash, error) {
	data, blob, err := b.fileAt(r, tip, b.o.Path, maxCatalog)
	if bad, ok := errors.AsType[*unusableError](err); ok {
		return nil, plumbing.ZeroHash, b.corrupt(tip, &state.CorruptError{Reason: bad.reason})
	}
	return data, blob, err
}

// unusableError is a file in the branch that meshc cannot read: not a
// regular file, or too big.
type unusableError struct{ reason string }

func (e *unusableError) Error() string { return e.reason }

// fileAt returns the bytes of the file at p in commit tip and its blob:
// nil and the zero hash if tip is zero or has no file there. An entry
// that is not a file, or one of more than limit bytes, is an
// *unusableError.
func (b *Backend) fileAt(r *git.Repository, tip plumbing.Hash, p string, limit int64) ([]byte, plumbing.Hash, error) {
	if tip.IsZero() {
		return nil, plumbing.ZeroHash, nil
	}
	commit, err := object.GetCommit(r.Storer, tip)
	if err != nil {
		return nil, plumbing.ZeroHash, fmt.Errorf("live catalog %s: commit %s: %v", b.where(), tip, err)
	}
	tree, err := commit.Tree()
	if err != nil {
		return nil, plumbing.ZeroHash, fmt.Errorf("live catalog %s: tree of commit %s: %v", b.where(), tip, err)
	}
	entry, err := tree.FindEntry(p)
	if errors.Is(err, object.ErrEntryNotFound) || errors.Is(err, object.ErrDirectoryNotFound) {
		return nil, plumbing.ZeroHash, nil
	}
	if err != nil {
		return nil, plumbing.ZeroHash, &unusableError{err.Error()}
	}
	if entry.Mode != filemode.Regular && entry.Mode != filemode.Executable {
		return nil, plumbing.ZeroHash, &unusableError{fmt.Sprintf("it is a %s, not a file", kind(entry.Mode))}
	}
	blob, err := object.GetBlob(r.Storer, entry.Hash)
	if err != nil {
		return nil, plumbing.ZeroHash, fmt.Errorf("live catalog %s: blob %s: %v", b.where(), entry.Hash, err)
	}
	if blob.Size > limit || blob.Size < 0 {
		return nil, plumbing.ZeroHash, &unusableError{fmt.Sprintf("it is %d bytes, more than the %d meshc reads", blob.Size, limit)}
	}
	rd, err := blob.Reader()
	if err != nil {
		return nil, plumbing.ZeroHash, fmt.Errorf("live catalog %s: blob %s: %v", b.where(), entry.Hash, err)
	}
	defer rd.Close()
	// The size is bounded above: read it into one buffer of that size
	// (io.ReadAll would copy a 144 MB document a dozen times growing its
	// buffer), and check that the blob ends there.
	data := make([]byte, blob.Size)
	_, err = io.ReadFull(rd, data)
	if err == nil {
		if n, _ := rd.Read(make([]byte, 1)); n > 0 {
			err = fmt.Errorf("longer than its size %d", blob.Size)
		}
	}
	if err != nil {
		return nil, plumbing.ZeroHash, fmt.Errorf("live catalog %s: blob %s: %v", b.where(), entry.Hash, err)
	}
	return data, entry.Hash, nil
}

// corrupt fills in where the unusable catalog is and what to do about it.
func (b *Backend) corrupt(tip plumbing.Hash, ce *state.CorruptError) *state.CorruptError {
	ce.Path = b.where()
	if ce.Hint == "" {
		ce.Hint = fmt.Sprintf("commit a fixed or restored %s to branch %s (its tip is %s; git log %s shows earlier versions); meshc never overwrites it",
			b.o.Path, b.o.Branch, tip.String()[:12], b.o.Branch)
	}
	return ce
}

func kind(m filemode.FileMode) string {
	switch m {
	case filemode.Dir:
		return "directory"
	case filemode.Symlink:
		return "symbolic link"
	case filemode.Submodule:
		return "submodule"
	}
	return "non-file entry"
}

// fail says what went wrong talking to the remote, in one line that keeps
// the cause for errors.Is and shows no credential.
func (b *Backend) fail(op string, err error) error {
	if errors.Is(err, context.Canceled) {
		return err
	}
	var msg string
	creds := gitremote.Credentials(b.url)
	switch gitremote.Classify(err) {
	case gitremote.AuthFailed:
		msg = "authentication failed"
		if creds != "" {
			msg += ": check " + creds
			if op != "reading" {
				msg += " (it must be allowed to push)"
			}
		}
	case gitremote.NotFound:
		msg = "repository not found"
		if creds != "" {
			msg += ": check the URL, and that " + creds + " can read it"
		}
	case gitremote.HostKey:
		msg = "ssh host key not verified: " + gitremote.OneLine(err) + "; ~/.ssh/known_hosts or the files in SSH_KNOWN_HOSTS must list the host"
	case gitremote.Network:
		msg = "cannot reach the remote: " + gitremote.OneLine(err)
	default:
		msg = gitremote.OneLine(err)
	}
	return &gitremote.Error{Msg: b.scrub(fmt.Sprintf("live catalog %s: %s: %s", b.where(), op, msg)), Cause: err}
}

// scrub removes every credential from msg.
func (b *Backend) scrub(msg string) string {
	for _, s := range b.secrets {
		msg = strings.ReplaceAll(msg, s, "xxxxx")
	}
	return msg
}
