package source

import (
	"context"
	"errors"
	"fmt"
	"math"
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
	dir := g.RepoDir(d.Git)
	c := cacheEntry(dir)
	c.mu.Lock()
	defer c.mu.Unlock()
	// Another meshc (a reconcile service beside a manual run) may share the
	// cache: fetches into one clone take turns across processes too.
	unlock, err := gitremote.LockFile(filepath.Join(dir, "meshc.lock"))
	if err != nil {
		return nil, q.errorf("git cache for %s: %v", q.shown, err)
	}
	defer unlock()
	repo, created, err := c.open(dir, url)
	if err != nil {
		return nil, q.errorf("git cache for %s: %v", q.shown, err)
	}
	q.repo, q.created = repo, created

	hash, err := q.resolve(ctx)
	if err != nil {
		return nil, err
	}
	commit, err := peel(repo, hash)
	if err != nil {
		return nil, q.errorf("%s in %s: %v", q.refText(), q.shown, err)
	}
	tree, err := commit.Tree()
	if err != nil {
		return nil, q.errorf("reading commit %s of %s: %v", commit.Hash, q.shown, err)
	}
	if sub != "" {
		t, err := tree.Tree(sub)
		if err != nil {
			return nil, q.errorf("path %s not found in %s at %s (commit %s)%s", sub, q.shown, q.refText(), commit.Hash.String()[:12], dirsHint(tree, sub))
		}
		tree = t
	}
	dirName := sub
	if dirName == "" {
		dirName = "."
	}
	return &Domain{
		Name:   d.Name,
		FS:     gitfs.New(tree, &c.mu, commit.Committer.When),
		Dir:    dirName,
		Source: catalog.Source{Git: identityURL(d.Git), Ref: d.Ref, Path: sub, Commit: commit.Hash.String()},
	}, nil
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
	repo    *git.Repository
	created bool
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
	cur, _ := q.repo.Reference(local, false)
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
			return nil, err
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
