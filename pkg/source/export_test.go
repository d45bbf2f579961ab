package source

import "github.com/meshc-dev/meshc/pkg/internal/gitremote"

// ForgetRepos drops the open clones, as a new meshc process starts with
// none: the next fetch opens the cache from disk.
var ForgetRepos = forgetRepos

// DisplayURL is how a repository URL appears in errors and provenance.
var DisplayURL = gitremote.DisplayURL
