// Package diag defines diagnostics: the problems meshc finds in a mesh, each
// with a severity, a stable code and a position in a user's file.
//
// It is a leaf package: it imports nothing of meshc and never prints.
package diag
