// Package git is the live catalog's backend for platforms without a
// database: the catalog as one file (catalog.json by default) in a branch
// (meshc-catalog by default) of a git repository, usually the platform
// repository itself. mesh.cue names it as
//
//	state: {backend: "git", repo: URL, branch: "meshc-catalog", path: "catalog.json"}
//
// and --state as git+URL#BRANCH:PATH. It registers itself as "git" with
// package state.
//
// # The document
//
// The file is exactly what the file backend writes (state.Encode), so
// `git show meshc-catalog:catalog.json` prints it and `git log -p` diffs
// its versions. The first write creates the branch as an orphan holding
// only that file; later writes commit on its tip and keep any other file
// someone added to the branch. Each commit's subject names the domains
// applied, at their short commits, and the actor; its body has the
// summary and every domain's source, all from the catalog's newest history
// entry; its author is the actor. A document meshc cannot read is a
// *state.CorruptError that says how to restore it, and is never
// overwritten.
//
// Every commit of the catalog also holds its index (state.EncodeIndexed),
// beside it at state.IndexPath (catalog.index.json): what every product
// reads and claims, and where its JSON is in the document, bound to that
// document by its size and checksum. The backend is a state.PartReader:
// ReadPart reads the document and the index of the same commit and
// decodes only the products a check needs. A branch written by an older
// meshc (no index), a catalog edited on the branch since (an index that
// no longer matches) or anything but a file at the index's path is read
// whole instead, never an error; the next write commits a fresh index,
// replacing whatever was at its path. A commit of someone else's that
// changed only the index is no conflict, as below.
//
// # The clone
//
// meshc keeps a bare clone in its cache directory (CacheDir/state/<hash
// of the URL>-<name>), or in memory when it has no cache directory. Every
// read lists the remote's refs (one round trip) and fetches the branch's
// tip shallowly only if the clone lacks it. One process and one goroutine
// at a time use a clone on disk (an flock and a mutex), opening it afresh
// each time to see what another process fetched; a clone held by someone
// else is waited for three times the timeout at most. Every exchange with
// the remote is bounded by Options.Timeout (2 minutes by default), so a
// hung remote fails the command instead of hanging it.
//
// # Writes are compare-and-swap
//
// The Store compares serial and lineage under the lock; the backend adds
// git's own check: a write is a commit whose parent is the tip the
// session last read, pushed with that tip as the lease (the push is sent
// only if the remote branch is still there, and git's receive-pack
// updates the ref only if its old value is still the one the push names).
// If someone pushed first, the push is refused, the backend fetches what
// they pushed and reports a *state.StaleError with the live serial and
// lineage, leaving the branch as they left it; the engine then plans
// again. A commit of theirs that left the catalog's bytes alone (a README
// beside it) is no conflict: the write goes on top of it. Whether a push
// failed is decided by listing the remote afterwards, not by reading
// error text, so a push whose answer was lost still counts as done.
//
// # Usage
//
// The backend is a state.UsageStore: the observed usage is a
// state.UsageDoc in a second file on the branch, PATH.usage.json beside
// the catalog. AddUsage fetches the tip, merges the events into that file
// and pushes one commit ("meshc usage: N events") that changes nothing
// else, with the tip as its lease and without the lock, so an ingest
// never waits for an apply; if someone pushed first it merges onto their
// tip and pushes again, five times at most, all within the timeout. The
// catalog's bytes are unchanged by it, so an apply whose push it beat goes
// on top of it, as above. An ingest that changes nothing commits nothing.
//
// # The lock
//
// A lock file in the clone would only exclude processes of one machine, and
// CI runners share nothing but the remote, so the lock lives there: the
// ref refs/meshc/lock/BRANCH, pointing at a root commit whose lock.json
// names the holder (who, pid, host, time, and a random id that makes the
// commit unique). Lock pushes it as a new ref; receive-pack creates a ref
// only if it does not exist, atomically, so of two racing lockers exactly
// one wins. The loser fetches the ref's commit and fails at once with a
// *state.LockedError naming the holder, when it took the lock and how long
// ago; a lock left by a crash is reported the same way, with how to delete
// it (git push URL :refs/meshc/lock/BRANCH). Lock never breaks a lock.
// Every read and write under the lock checks that the ref is still the
// session's commit (the write in the same push as its lease), and Unlock
// deletes the ref only if it still is: a lock deleted by hand and taken by
// someone else is left alone and reported.
//
// The remote must accept refs outside refs/heads (GitHub does) and the
// credentials must allow pushing: https uses the token in MESHC_GIT_TOKEN,
// else GITHUB_TOKEN; ssh the key in MESHC_SSH_KEY, else the agent. No
// message shows a credential.
//
// It imports nothing of meshc but pkg/state, pkg/catalog and the shared
// git helpers of pkg/internal/gitremote.
package git
