package postgres

import (
	"errors"

	"github.com/meshc-dev/meshc/pkg/state"
)

func init() { state.Register("postgres", open) }

// open is the postgres backend's state.Opener: Spec.URL, a postgres:// or
// postgresql:// URL without a password.
func open(spec state.Spec) (state.Backend, error) {
	switch {
	case spec.URL == "":
		return nil, errors.New("the postgres backend needs a url (postgres://USER@HOST/DB?catalog=NAME)")
	case spec.Path != "" || spec.Repo != "" || spec.Branch != "":
		return nil, errors.New("the postgres backend takes a url only (no path, repo or branch)")
	}
	return New(spec.URL)
}
