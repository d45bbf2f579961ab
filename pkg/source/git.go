package source

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	git "github.com/go-git/go-git/v5"
	gitconfig "github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/transport"

	"github.com/meshc-dev/meshc/pkg/catalog"
	"github.com/meshc-dev/meshc/pkg/config"
	"github.com/meshc-dev/meshc/pkg/internal/gitremote"
	"github.com/meshc-dev/meshc/pkg/source/gitfs"
)

// Defaults for Git's zero fields.
const (
	DefaultRetries = 3
	DefaultBackoff = 500 * time.Millisecond
)

// Git reads domains from git repositories, at a branch, tag or commit,
// through a cache of bare clones: one per repository URL, shared by every
// domain that lives in it, fetched incrementally on later runs. Files are
// read from the commit's tree; there is no work tree.
//
// URLs may be file://, https://, http://, ssh:// (or scp-like
// user@host:path), git://, or a local path. HTTPS uses the token in
// MESHC_GIT_TOKEN, else GITHUB_TOKEN; ssh uses the key file in
// MESHC_SSH_KEY, else the agent at SSH_AUTH_SOCK, and checks host keys
// against known_hosts. file:// and local paths need the git command's
// git-upload-pack, as git itself does.
type Git struct {
	// CacheDir holds the clones; the caller chooses it (see
	// DefaultCacheDir).
	CacheDir string
	// Getenv reads credentials; nil means os.Getenv.
	Getenv func(string) string
	// Retries is how many times a transient failure (network, timeout,
	// HTTP 5xx) is retried: 0 means DefaultRetries, below 0 none.
	Retries int
	// Backoff is the wait before the first retry, doubled for each next
	// one; 0 means DefaultBackoff.
	Backoff time.Duration
	// Log, when set, is told what is fetched and retried (slog-style
	// key-value args).
	Log func(msg string, args ...any)
	// Root is the directory relative local repository paths start from;
	// "" means the working directory.
	Root string
	// Timeout bounds each attempt of each network operation (listing the
	// remote's refs, a clone, a fetch); 0 means DefaultTimeout. A remote
	// that does not answer in time is not retried. Waiting for a clone
	// another fetch holds is bounded by it too.
	Timeout time.Duration
	// Notify, when set, is told of a fetch still running after a second
	// and of a cached clone cloned again because it could not be read. It
	// is called from other goroutines than Fetch's, never after Fetch
	// returns.
	Notify func(Event)
}

// Fetch reads d's directory from its repository at its ref: d.Ref is a
// branch, a tag (annotated tags are peeled to their commit), a full
// 40-hex commit SHA, or "" for the remote's default branch. Branches and
// tags are fetched shallowly, only the one asked for. A commit already in
// the cache needs no network; otherwise it is fetched by SHA where the
// server allows it, else every branch and tag is fetched with full history
// and the commit looked up in it. The domain's Dir is its path within the
// repository ("." for the root), so diagnostics name files as the
// repository does; Source records the URL (any password redacted), the ref
// asked for, the path and the commit read.
func (g Git) Fetch(ctx context.Context, d *config.Domain) (*Domain, error) {
	q := &request{g: g, d: d, ref: strings.TrimSpace(d.Ref), shown: gitremote.DisplayURL(d.Git)}
	if plumbing.IsHash(q.ref) {
		q.ref = strings.ToLower(q.ref)
	}
	sub, err := repoSubdir(d.Path)
	if err != nil {
		return nil, q.errorf("%v", err)
	}
	q.sub = sub
	url, ep, err := gitremote.Endpoint(d.Git, g.Root)
	if err != nil {
		return nil, q.errorf("bad git URL %s: %v", q.shown, err)
	}
	q.url = url
	// A missing credential matters only once the network is needed.
	q.auth, q.authErr = g.auth(ep)
	if err := ctx.Err(); err != nil {
		return nil, q.errorf("fetching %s (%s): %w", q.shown, q.refText(), err)
	}

	if g.CacheDir == "" {
		return nil, q.errorf("no git cache directory: set Git.CacheDir")
	}
	defer q.watch()()
	dir := g.RepoDir(d.Git)
	c := cacheEntry(dir)
	if err := q.lock(ctx, c, dir); err != nil {
		return nil, err
	}
	defer func() {
		if q.stuck == nil {
			q.unlock()
			return
		}
		// An operation left behind still holds the clone: it lets go of
		// it when it returns.
		c.setAbandoned(true)
		go func(stuck <-chan struct{}, unlock func()) {
			<-stuck
			c.setAbandoned(false)
			unlock()
		}(q.stuck, q.unlock)
	}()
	dom, err := q.read(ctx, c, dir)
	var bad *unreadableError
	if errors.As(err, &bad) && !q.created && q.stuck == nil {
		return q.reclone(ctx, c, dir, bad)
	}
	if errors.As(err, &bad) {
		return nil, q.errorf("the git cache for %s is unreadable: %v (remove %s to clone it again)", q.shown, oneLine(bad), dir)
	}
	return dom, err
}

// lock takes the clone at dir, in this process and across processes, and
// sets q.unlock. A fetch holding it in this process is waited for (it
// ends in bounded time), an operation left behind for the timeout; another
// process for three times the timeout, as long as a fetch may take.
func (q *request) lock(ctx context.Context, c *cachedRepo, dir string) error {
	wait := q.g.timeout()
	if err := c.lockContext(ctx, wait); err != nil {
		if ctx.Err() != nil {
			return q.errorf("fetching %s (%s): %w", q.shown, q.refText(), ctx.Err())
		}
		return q.errorf("the git cache for %s (%s) is still held by an earlier fetch after %s (one left behind by a remote that never answered): try again later, or raise --git-timeout", q.shown, q.refText(), wait)
	}
	wait *= 3
	lctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	// Another meshc (a reconcile service beside a manual run) may share the
	// cache: fetches into one clone take turns across processes too.
	unlock, err := gitremote.LockFile(lctx, filepath.Join(dir, gitremote.LockName))
	if err != nil {
		c.Unlock()
		switch {
		case ctx.Err() != nil:
			return q.errorf("fetching %s (%s): %w", q.shown, q.refText(), ctx.Err())
		case lctx.Err() != nil:
			return q.errorf("another meshc process has held the git cache for %s (%s) for %s: wait for it to finish, or raise --git-timeout (the cache is %s)", q.shown, q.refText(), wait, dir)
		}
		return q.errorf("git cache for %s: %v", q.shown, err)
	}
	q.unlockFile = unlock
	q.unlock = func() {
		q.unlockFile()
		c.Unlock()
	}
	return nil
}

// read opens the clone at dir, brings the ref's commit into it and returns
// the domain's files. A clone that turns out unreadable is an
// *unreadableError.
func (q *request) read(ctx context.Context, c *cachedRepo, dir string) (*Domain, error) {
	repo, created, err := c.open(dir, q.url)
	var bad *unreadableError
	if errors.As(err, &bad) {
		return nil, err
	}
	if err != nil {
		return nil, q.errorf("git cache for %s: %v", q.shown, err)
	}
	q.repo, q.created = repo, created
	if !created {
		if err := checkClone(repo, dir); err != nil {
			return nil, err
		}
	}
	hash, err := q.resolve(ctx)
	if err != nil {
		return nil, err
	}
	commit, err := peel(repo, hash)
	if errors.As(err, &bad) {
		return nil, unreadable("%s (%s): %v", q.refText(), hash, err)
	}
	if err != nil {
		return nil, q.errorf("%s in %s: %v", q.refText(), q.shown, err)
	}
	tree, err := commit.Tree()
	if err != nil {
		return nil, unreadable("the tree of commit %s: %v", commit.Hash, err)
	}
	if q.sub != "" {
		t, err := subtree(repo, tree, q.sub)
		if err != nil {
			return nil, err
		}
		if t == nil {
			return nil, q.errorf("path %s not found in %s at %s (commit %s)%s", q.sub, q.shown, q.refText(), commit.Hash.String()[:12], dirsHint(tree, q.sub))
		}
		tree = t
	}
	if err := checkFiles(tree); err != nil {
		return nil, err
	}
	dirName := q.sub
	if dirName == "" {
		dirName = "."
	}
	return &Domain{
		Name:   q.d.Name,
		FS:     gitfs.New(tree, c, commit.Committer.When),
		Dir:    dirName,
		Source: catalog.Source{Git: identityURL(q.d.Git), Ref: q.d.Ref, Path: q.sub, Commit: commit.Hash.String()},
	}, nil
}

// reclone moves the unreadable clone at dir aside, clones it again and
// reads the domain from the new clone; the old one is removed either way.
// It is called with the clone locked. Domains of the same repository read
// earlier in this run read through the old clone: checkClone finds the
// damage a crash or a cut-short cache restore leaves before any of them
// is read, so only damage done meanwhile, by something else than meshc,
// can reach them.
func (q *request) reclone(ctx context.Context, c *cachedRepo, dir string, bad *unreadableError) (*Domain, error) {
	aside := dir + ".unreadable"
	c.repo = nil
	if err := os.RemoveAll(aside); err != nil {
		return nil, q.errorf("the git cache for %s is unreadable (%s), and %s cannot be removed to move it aside: %v", q.shown, oneLine(bad), aside, err)
	}
	if err := os.Rename(dir, aside); err != nil {
		return nil, q.errorf("the git cache for %s is unreadable (%s) and cannot be moved aside: %v; remove %s to clone it again", q.shown, oneLine(bad), err, dir)
	}
	defer os.RemoveAll(aside)
	// The lock file moved with the clone: take the new one before letting
	// go of the old, so that no other meshc slips in between (one waiting
	// for the old one sees that it moved, and waits for the new one).
	lctx, cancel := context.WithTimeout(ctx, q.g.timeout())
	unlock, err := gitremote.LockFile(lctx, filepath.Join(dir, gitremote.LockName))
	cancel()
	if err != nil {
		return nil, q.errorf("git cache for %s: %v", q.shown, err)
	}
	old := q.unlockFile
	q.unlockFile = unlock
	old()
	q.log("git: cached clone unreadable, cloning again", "error", oneLine(bad))
	dom, err := q.read(ctx, c, dir)
	var again *unreadableError
	if errors.As(err, &again) {
		err = q.errorf("the git cache for %s is unreadable: %v (remove %s to clone it again)", q.shown, oneLine(again), dir)
	}
	if err != nil {
		return nil, &gitremote.Error{Msg: fmt.Sprintf("%v (the cached clone was unreadable, %s, and cloning it again failed)", err, oneLine(bad)), Cause: err}
	}
	q.notify(Event{Kind: EventRecloned, Detail: oneLine(bad)})
	return dom, nil
}

// request is one domain's fetch, with what it learns on the way.
type request struct {
	g       Git
	d       *config.Domain
	ref     string
	url     string // as handed to go-git
	shown   string // as shown to people: credentials redacted
	auth    transport.AuthMethod
	authErr error
	sub     string // the domain's directory in the repository, "" for its root
	repo    *git.Repository
	created bool
	// unlock lets go of the clone, in this process and on disk
	// (unlockFile); stuck, when set, is closed once an operation left
	// behind returns (see attempt).
	unlock, unlockFile func()
	stuck              chan struct{}
}

// errorf formats a failure of the domain as one line that names it.
func (q *request) errorf(format string, args ...any) error {
	prefix := "domain " + q.d.Name + ": "
	if p := q.d.Pos.String(); p != "" {
		prefix = p + ": " + prefix
	}
	return fmt.Errorf(prefix+format, args...)
}

func (q *request) refText() string {
	if q.ref == "" {
		return "the default branch"
	}
	return "ref " + q.ref
}

func (q *request) log(msg string, args ...any) {
	if q.g.Log != nil {
		q.g.Log(msg, append([]any{"domain", q.d.Name, "url", q.shown, "ref", q.ref}, args...)...)
	}
}

func (q *request) remote() *git.Remote {
	return git.NewRemote(q.repo.Storer, &gitconfig.RemoteConfig{Name: git.DefaultRemoteName, URLs: []string{q.url}})
}

// resolve brings the ref's commit into the cache and returns the hash the
// ref names: a commit, or an annotated tag.
func (q *request) resolve(ctx context.Context) (plumbing.Hash, error) {
	if plumbing.IsHash(q.ref) {
		return q.resolveCommit(ctx, plumbing.NewHash(q.ref))
	}
	var refs []*plumbing.Reference
	err := q.retry(ctx, "list", func(ctx context.Context) error {
		var err error
		refs, err = q.remote().ListContext(ctx, &git.ListOptions{Auth: q.auth})
		return err
	})
	if err != nil {
		return plumbing.ZeroHash, err
	}
	name, hash, err := q.pick(refs)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	local := localName(name)
	cur, err := q.repo.Reference(local, false)
	if err != nil && !errors.Is(err, plumbing.ErrReferenceNotFound) {
		return plumbing.ZeroHash, unreadable("%s: %v", local, err)
	}
	switch {
	case cur != nil && cur.Hash() == hash:
		q.log("git: up to date", "commit", hash.String())
	case hasObject(q.repo, hash):
		// Moved to an object the cache has (back to an earlier commit, or
		// a tag of a fetched commit): nothing to download.
		q.log("git: moving ref to a cached commit", "to", hash.String())
		if err := q.repo.Storer.SetReference(plumbing.NewHashReference(local, hash)); err != nil {
			return plumbing.ZeroHash, q.errorf("git cache for %s: %v", q.shown, err)
		}
	default:
		verb := "git: fetching"
		if q.created {
			verb = "git: cloning"
		}
		q.log(verb, "depth", 1)
		spec := gitconfig.RefSpec("+" + name.String() + ":" + local.String())
		if err := q.fetch(ctx, 1, spec); err != nil {
			return plumbing.ZeroHash, err
		}
	}
	got, err := q.repo.Reference(local, false)
	if err != nil && !errors.Is(err, plumbing.ErrReferenceNotFound) {
		return plumbing.ZeroHash, unreadable("%s: %v", local, err)
	}
	if err != nil {
		// The ref was deleted between listing and fetching.
		return plumbing.ZeroHash, q.errorf("%s not found in %s: it was deleted while fetching", q.refText(), q.shown)
	}
	return got.Hash(), nil
}

// resolveCommit brings a commit into the cache. Commits never change, so
// one already cached needs no network at all.
func (q *request) resolveCommit(ctx context.Context, h plumbing.Hash) (plumbing.Hash, error) {
	if hasObject(q.repo, h) {
		q.log("git: commit cached")
		return h, nil
	}
	q.log("git: fetching commit by SHA")
	spec := gitconfig.RefSpec("+" + h.String() + ":refs/meshc/commits/" + h.String())
	err := q.fetch(ctx, 1, spec)
	if err == nil && hasObject(q.repo, h) {
		return h, nil
	}
	if err != nil && !refusedSHA(err) {
		return plumbing.ZeroHash, err
	}
	// The server does not serve commits by SHA (git daemon, and git's
	// own default, allow only advertised refs): fetch every branch and
	// tag with full history and look for it there.
	depth := 0
	if shallow, _ := q.repo.Storer.Shallow(); len(shallow) > 0 {
		depth = math.MaxInt32 // git's "infinite" depth: deepen what is shallow
	}
	q.log("git: fetching all branches and tags to find commit", "depth", depth)
	err = q.fetch(ctx, depth, "+refs/heads/*:refs/remotes/origin/*", "+refs/tags/*:refs/tags/*")
	if err != nil {
		return plumbing.ZeroHash, err
	}
	if !hasObject(q.repo, h) {
		return plumbing.ZeroHash, q.errorf("commit %s not found in %s: it is on no branch or tag", h, q.shown)
	}
	return h, nil
}

// fetch downloads specs into the cache, retrying transient failures.
func (q *request) fetch(ctx context.Context, depth int, specs ...gitconfig.RefSpec) error {
	return q.retry(ctx, "fetch", func(ctx context.Context) error {
		err := q.remote().FetchContext(ctx, &git.FetchOptions{
			RefSpecs: specs,
			Depth:    depth,
			Auth:     q.auth,
			Tags:     git.NoTags,
			Force:    true,
		})
		if errors.Is(err, git.NoErrAlreadyUpToDate) {
			return nil
		}
		return err
	})
}

// refusedSHA tells whether err is a server's refusal to serve a commit by
// SHA rather than a failure to reach it.
func refusedSHA(err error) bool {
	var nm git.NoMatchingRefSpecError
	if errors.Is(err, git.ErrExactSHA1NotSupported) || errors.As(err, &nm) {
		return true
	}
	var ce *gitremote.Error
	if errors.As(err, &ce) {
		err = ce.Cause
	}
	return strings.Contains(err.Error(), "not our ref")
}

// pick finds the ref asked for among the remote's refs, as git does:
// refs/NAME, then refs/tags/NAME, then refs/heads/NAME.
func (q *request) pick(refs []*plumbing.Reference) (plumbing.ReferenceName, plumbing.Hash, error) {
	byName := map[plumbing.ReferenceName]*plumbing.Reference{}
	for _, r := range refs {
		byName[r.Name()] = r
	}
	var candidates []plumbing.ReferenceName
	if q.ref == "" {
		head := byName[plumbing.HEAD]
		if head == nil || head.Type() != plumbing.SymbolicReference {
			return "", plumbing.ZeroHash, q.errorf("%s has no default branch that meshc can see: set ref in mesh.cue", q.shown)
		}
		candidates = []plumbing.ReferenceName{head.Target()}
	} else {
		if strings.HasPrefix(q.ref, "refs/") {
			candidates = append(candidates, plumbing.ReferenceName(q.ref))
		}
		candidates = append(candidates,
			plumbing.ReferenceName("refs/"+q.ref),
			plumbing.NewTagReferenceName(q.ref),
			plumbing.NewBranchReferenceName(q.ref))
	}
	for _, name := range candidates {
		if r := byName[name]; r != nil && r.Type() == plumbing.HashReference {
			return name, r.Hash(), nil
		}
	}
	hint := ""
	if isHex(q.ref) && len(q.ref) < 40 {
		hint = " (give a commit as its full 40-character SHA)"
	}
	return "", plumbing.ZeroHash, q.errorf("%s not found in %s%s: it has %s", q.refText(), q.shown, hint, inventory(refs))
}

// inventory lists a few of the remote's branches and tags for an error.
func inventory(refs []*plumbing.Reference) string {
	var branches, tags []string
	for _, r := range refs {
		switch n := r.Name(); {
		case n.IsBranch():
			branches = append(branches, n.Short())
		case n.IsTag():
			tags = append(tags, n.Short())
		}
	}
	slices.Sort(branches)
	slices.SortFunc(tags, func(a, b string) int { return naturalCompare(b, a) }) // newest versions first
	list := func(kind string, names []string) string {
		const most = 5
		switch {
		case len(names) == 0:
			return "no " + kind
		case len(names) > most:
			return kind + " " + strings.Join(names[:most], ", ") + fmt.Sprintf(", ... (%d in all)", len(names))
		}
		return kind + " " + strings.Join(names, ", ")
	}
	return list("branches", branches) + " and " + list("tags", tags)
}

// naturalCompare orders strings with runs of digits compared as numbers,
// so that v1.10.0 comes after v1.9.0.
func naturalCompare(a, b string) int {
	for a != "" && b != "" {
		da, db := digits(a), digits(b)
		if da > 0 && db > 0 {
			na, nb := strings.TrimLeft(a[:da], "0"), strings.TrimLeft(b[:db], "0")
			if c := len(na) - len(nb); c != 0 {
				return c
			}
			if c := strings.Compare(na, nb); c != 0 {
				return c
			}
			a, b = a[da:], b[db:]
			continue
		}
		if a[0] != b[0] {
			return int(a[0]) - int(b[0])
		}
		a, b = a[1:], b[1:]
	}
	return len(a) - len(b)
}

func digits(s string) int {
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	return n
}

func isHex(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if !strings.ContainsRune("0123456789abcdefABCDEF", c) {
			return false
		}
	}
	return true
}

// localName is where the cache keeps a remote ref: branches as
// remote-tracking branches, everything else under its own name.
func localName(name plumbing.ReferenceName) plumbing.ReferenceName {
	if name.IsBranch() {
		return plumbing.NewRemoteReferenceName(git.DefaultRemoteName, name.Short())
	}
	return name
}

func hasObject(repo *git.Repository, h plumbing.Hash) bool {
	_, err := repo.Storer.EncodedObject(plumbing.AnyObject, h)
	return err == nil
}

// peel follows annotated tags to the commit they name.
func peel(repo *git.Repository, h plumbing.Hash) (*object.Commit, error) {
	for range 10 {
		obj, err := repo.Object(plumbing.AnyObject, h)
		if err != nil {
			return nil, unreadable("object %s: %v", h, err)
		}
		switch o := obj.(type) {
		case *object.Commit:
			return o, nil
		case *object.Tag:
			h = o.Target
		default:
			return nil, fmt.Errorf("names a %s, not a commit", obj.Type())
		}
	}
	return nil, errors.New("too many levels of tags")
}

// repoSubdir checks a domain's path within its repository and returns it
// cleaned, "" for the root.
func repoSubdir(p string) (string, error) {
	p = strings.TrimSpace(strings.ReplaceAll(p, `\`, "/"))
	if p == "" {
		return "", nil
	}
	if path.IsAbs(p) {
		return "", fmt.Errorf("path %s must be relative to the repository root", p)
	}
	c := path.Clean(p)
	if c == ".." || strings.HasPrefix(c, "../") {
		return "", fmt.Errorf("path %s leaves the repository", p)
	}
	if c == "." {
		return "", nil
	}
	return c, nil
}

// dirsHint names a few directories next to a missing path.
func dirsHint(root *object.Tree, sub string) string {
	parent := root
	if d := path.Dir(sub); d != "." {
		t, err := root.Tree(d)
		if err != nil {
			return ""
		}
		parent = t
	}
	var dirs []string
	for _, e := range parent.Entries {
		if e.Mode != filemode.Dir || len(dirs) == 5 {
			continue
		}
		dirs = append(dirs, path.Join(path.Dir(sub), e.Name))
	}
	if len(dirs) == 0 {
		return ""
	}
	return ": it has " + strings.Join(dirs, ", ")
}
