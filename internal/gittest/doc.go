// Package gittest makes real git repositories for tests, with the git
// command line, and serves them over a loopback git daemon or git
// http-backend (smart HTTP, optionally TLS, behind basic auth).
//
// It is for tests only: no meshc package outside tests may import it.
package gittest
