// Package git is the live catalog's backend for platforms without a
// database: the catalog as one file in a branch of a git repository.
package git
