package source

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"

	git "github.com/go-git/go-git/v5"

	"github.com/meshc-dev/meshc/pkg/catalog"
	"github.com/meshc-dev/meshc/pkg/config"
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
	return &Domain{
		Name:   d.Name,
		FS:     os.DirFS(abs),
		Dir:    s.Config.Rel(abs),
		Source: catalog.Source{Path: s.Config.Rel(abs), Digest: Digest(os.DirFS(abs))},
	}, nil
}

// Fetch reads every configured domain, in name order. Any failure is
// returned: a domain that cannot be read must never look like a domain with
// no products.
func Fetch(ctx context.Context, cfg *config.Config) ([]*Domain, error) {
	var out []*Domain
	var errs []error
	for _, name := range cfg.DomainNames() {
		d := cfg.Domains[name]
		var f Fetcher = Dir{Config: cfg}
		if d.Git != "" {
			errs = append(errs, fmt.Errorf("%s: domain %s: git sources (%s) are not supported by this version of meshc; use a local path", d.Pos, name, d.Git))
			continue
		}
		sd, err := f.Fetch(ctx, d)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, sd)
	}
	return out, errors.Join(errs...)
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
