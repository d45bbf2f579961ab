// Package source fetches each domain's CUE files from where mesh.cue says
// they live (a local directory today, git repositories later) and hands them
// on as file systems, with their provenance.
//
// It must not import compile, check, plan, render or the CLI.
package source
