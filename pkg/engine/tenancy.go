package engine

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/meshc-dev/meshc/pkg/config"
)

// RepositoryError is a run in GitHub Actions that takes a domain from a
// checkout (a pull-request check, an apply) outside that domain's own
// repository: whoever controls a workflow there would act as the domain.
type RepositoryError struct {
	Domain string
	Runs   string // GITHUB_REPOSITORY
	Want   string // the domain's repository in mesh.cue; empty when none
}

func (e *RepositoryError) Error() string {
	if e.Want == "" {
		return fmt.Sprintf("--domain %s: this GitHub Actions run is in repository %s, and mesh.cue names no repository for domain %s; add repository: \"OWNER/NAME\" to its entry in mesh.cue, so that only its own repository checks and applies it",
			e.Domain, e.Runs, e.Domain)
	}
	return fmt.Sprintf("--domain %s: this GitHub Actions run is in repository %s, but domain %s belongs to %s (mesh.cue); a domain is checked and applied only from its own repository",
		e.Domain, e.Runs, e.Domain, e.Want)
}

// checkRepositories refuses, in GitHub Actions, to take a domain from a
// checkout unless the run is in that domain's repository in mesh.cue.
// Outside Actions (a person at a terminal) nothing is checked.
func checkRepositories(cfg *config.Config, local map[string]string, getenv func(string) string) error {
	if getenv("GITHUB_ACTIONS") != "true" {
		return nil
	}
	runs := getenv("GITHUB_REPOSITORY")
	if runs == "" {
		runs = "(unknown: GITHUB_REPOSITORY is not set)"
	}
	for _, name := range slices.Sorted(maps.Keys(local)) {
		if local[name] == "" {
			continue // read from its source as mesh.cue names it: no checkout to trust
		}
		d := cfg.Domains[name]
		if d == nil {
			continue // mesh.Load names the unknown domain
		}
		if d.Repository == "" || !strings.EqualFold(d.Repository, runs) {
			return &RepositoryError{Domain: name, Runs: runs, Want: d.Repository}
		}
	}
	return nil
}
