package git

import (
	"errors"

	"github.com/meshc-dev/meshc/pkg/state"
)

func init() { state.Register("git", open) }

// open is the git backend's state.Opener: Spec.Repo (a relative local
// path is relative to Spec.BaseDir), Spec.Branch and Spec.Path, with the
// clone under Spec.CacheDir.
func open(spec state.Spec) (state.Backend, error) {
	switch {
	case spec.Repo == "":
		return nil, errors.New("the git backend needs a repo")
	case spec.URL != "":
		return nil, errors.New("the git backend takes a repo, branch and path (no url)")
	}
	return New(Options{
		Repo:     spec.Repo,
		Branch:   spec.Branch,
		Path:     spec.Path,
		Root:     spec.BaseDir,
		CacheDir: spec.CacheDir,
	})
}
