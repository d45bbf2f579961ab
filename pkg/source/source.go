package source

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"net/url"
	"os"
	"slices"
	"sync"
	"time"

	git "github.com/go-git/go-git/v5"

	"github.com/meshc-dev/meshc/pkg/catalog"
	"github.com/meshc-dev/meshc/pkg/config"
	"github.com/meshc-dev/meshc/pkg/internal/gitremote"
	"github.com/meshc-dev/meshc/pkg/redact"
)

// Domain is one domain's CUE files, ready to compile.
type Domain struct {
	Name string
	// FS holds the domain's directory: its .cue files are at its root.
	FS fs.FS
	// Dir is how the directory is named in diagnostics: relative to the mesh
	// root for local directories.
	Dir string
	// Source records where the files came from.
	Source catalog.Source
}

// Fetcher reads one kind of source.
type Fetcher interface {
	Fetch(ctx context.Context, d *config.Domain) (*Domain, error)
}

// Dir reads domains from local directories, relative to the mesh root.
type Dir struct {
	Config *config.Config
}

// Fetch opens d's directory.
func (s Dir) Fetch(_ context.Context, d *config.Domain) (*Domain, error) {
	abs := s.Config.Abs(d.Path)
	fi, err := os.Stat(abs)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("%s: domain %s: directory %s does not exist", d.Pos, d.Name, d.Path)
	case err != nil:
		return nil, fmt.Errorf("%s: domain %s: %w", d.Pos, d.Name, err)
	case !fi.IsDir():
		return nil, fmt.Errorf("%s: domain %s: %s is not a directory", d.Pos, d.Name, d.Path)
	}
	sealed, err := Sealed(abs)
	if err != nil {
		return nil, fmt.Errorf("%s: domain %s: %w", d.Pos, d.Name, err)
	}
	return &Domain{
		Name:   d.Name,
		FS:     sealed,
		Dir:    s.Config.Rel(abs),
		Source: catalog.Source{Path: s.Config.Rel(abs), Digest: Digest(sealed)},
	}, nil
}

// Options tunes Fetch and FetchEach.
type Options struct {
	// CacheDir holds git clones; "" means DefaultCacheDir().
	CacheDir string
	// Getenv reads git credentials; nil means os.Getenv.
	Getenv func(string) string
	// Only fetches just these domains; nil means all.
	Only map[string]bool
	// Timeout bounds each git network operation; 0 means DefaultTimeout
	// (see Git.Timeout).
	Timeout time.Duration
	// Notify, when set, is told of slow fetches and of cached clones
	// cloned again (see Git.Notify); its calls take turns.
	Notify func(Event)
}

// fetchWorkers bounds how many domains are fetched at once.
const fetchWorkers = 4

// Fetch reads the configured domains (those in o.Only, if set), in name
// order. Every failure is returned, joined, so that a user sees each
// unreachable domain at once: a domain that cannot be read must never look
// like a domain with no products.
func Fetch(ctx context.Context, cfg *config.Config, o Options) ([]*Domain, error) {
	domains, failed := FetchEach(ctx, cfg, o)
	var errs []error
	for _, name := range slices.Sorted(maps.Keys(failed)) {
		errs = append(errs, failed[name])
	}
	return domains, errors.Join(errs...)
}

// FetchEach reads the configured domains (those in o.Only, if set), up to
// four at once, and returns the ones it could read, in name order, apart
// from each failed domain's error: the scheduled reconcile job skips
// unreadable domains and never takes them as empty.
func FetchEach(ctx context.Context, cfg *config.Config, o Options) (domains []*Domain, failed map[string]error) {
	failed = map[string]error{}
	var names []string
	for _, name := range cfg.DomainNames() {
		if o.Only == nil || o.Only[name] {
			names = append(names, name)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(o.Only)) {
		if _, ok := cfg.Domains[name]; !ok && o.Only[name] {
			failed[name] = fmt.Errorf("domain %s: mesh.cue has no such domain", name)
		}
	}
	g := Git{CacheDir: o.CacheDir, Getenv: o.Getenv, Root: cfg.Root, Timeout: o.Timeout, Notify: serialized(o.Notify)}
	var cacheErr error
	if g.CacheDir == "" {
		g.CacheDir, cacheErr = DefaultCacheDir()
	}
	results := make([]*Domain, len(names))
	errs := make([]error, len(names))
	sem := make(chan struct{}, fetchWorkers)
	var wg sync.WaitGroup
	for i, name := range names {
		d := cfg.Domains[name]
		var f Fetcher = Dir{Config: cfg}
		if d.Git != "" {
			if cacheErr != nil {
				errs[i] = fmt.Errorf("%s: domain %s: %w", d.Pos, name, cacheErr)
				continue
			}
			f = g
		}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			errs[i] = fmt.Errorf("%s: domain %s: %w", d.Pos, name, ctx.Err())
			continue
		}
		wg.Go(func() {
			defer func() { <-sem }()
			results[i], errs[i] = f.Fetch(ctx, d)
		})
	}
	wg.Wait()
	for i, name := range names {
		if errs[i] != nil {
			failed[name] = errs[i]
			continue
		}
		domains = append(domains, results[i])
	}
	return domains, failed
}

// HeadCommit returns the commit checked out in the git work tree that holds
// dir, or "" when dir is not in one: a pull request's checkout records
// which commit was planned.
func HeadCommit(dir string) string {
	repo, err := git.PlainOpenWithOptions(dir, &git.PlainOpenOptions{DetectDotGit: true})
	if err != nil {
		return ""
	}
	head, err := repo.Head()
	if err != nil {
		return ""
	}
	return head.Hash().String()
}

// Digest returns "sha256:<hex>" over the names and bytes of the .cue files
// at the root of fsys, in name order: what identifies a local directory's
// content when there is no commit. It returns "" if they cannot be read.
func Digest(fsys fs.FS) string {
	names, err := fs.Glob(fsys, "*.cue")
	if err != nil {
		return ""
	}
	h := sha256.New()
	for _, n := range names {
		b, err := fs.ReadFile(fsys, n)
		if err != nil {
			return ""
		}
		fmt.Fprintf(h, "%s\x00%d\x00", n, len(b))
		h.Write(b)
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

// Identity is what names d's source, whatever checkout it is read from:
// its repository's URL without credentials plus its path in the
// repository, or its directory relative to mesh.cue. Two domains with one
// identity would publish each other's products.
func Identity(cfg *config.Config, d *config.Domain) catalog.Source {
	if d.Git == "" {
		return catalog.Source{Path: cfg.Rel(cfg.Abs(d.Path))}
	}
	sub, err := repoSubdir(d.Path)
	if err != nil {
		sub = d.Path
	}
	return catalog.Source{Git: identityURL(d.Git), Ref: d.Ref, Path: sub}
}

// identityURL is raw without its user information, which may hold a
// token: https://x-access-token:ghp_x@github.com/acme/o is
// https://github.com/acme/o. An ssh URL keeps its user (git@), which is no
// secret and part of the address.
func identityURL(raw string) string {
	if !gitremote.HasScheme(raw) {
		return raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return gitremote.DisplayURL(raw)
	}
	if u.Scheme != "ssh" {
		u.User = nil
	}
	return redact.URL(u.Redacted())
}
