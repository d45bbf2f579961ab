// Package gitfs presents a git tree as a read-only io/fs file system, so
// that a commit's files can be read without a work tree.
//
// It knows nothing of meshc: it must not import any meshc package.
package gitfs
