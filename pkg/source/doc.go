// Package source fetches each domain's CUE files from where mesh.cue says
// they live, a local directory or a git repository at a ref, and hands them
// on as file systems, with their provenance (path, URL, ref, commit).
//
// Git repositories are read through a cache of bare clones, one per URL,
// fetched shallowly and incrementally; files come from the commit's tree
// (package gitfs), never from a work tree. Every network operation is
// bounded by a timeout and by the caller's context; a cached clone that
// cannot be read is moved aside and cloned again, once. What the caller
// should tell people (a slow fetch, a re-cloned cache) comes as Events.
//
// A local directory is read sealed (Sealed): no symbolic link leading out
// of it is followed and only regular files and directories open, so a
// tenant's files cannot reach /etc/passwd, meshc's environment or a FIFO.
//
// It must not import compile, check, plan, render or the CLI.
package source
