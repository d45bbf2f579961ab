// Package gittest makes real git repositories for tests, with the git
// command line, and serves them over a loopback git daemon.
//
// It is for tests only: no meshc package outside tests may import it.
package gittest
