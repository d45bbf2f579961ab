package file

import (
	"errors"

	"github.com/meshc-dev/meshc/pkg/state"
)

func init() { state.Register("file", open) }

// open is the file backend's state.Opener: Spec.Path, relative to
// Spec.BaseDir.
func open(spec state.Spec) (state.Backend, error) {
	switch {
	case spec.Path == "":
		return nil, errors.New("the file backend needs a path")
	case spec.URL != "" || spec.Repo != "" || spec.Branch != "":
		return nil, errors.New("the file backend takes a path only (no url, repo or branch)")
	}
	return New(spec.Abs(spec.Path)), nil
}
