// Package gitremote holds what every meshc package that talks to a git
// remote shares: how a URL or local path is read, which credentials the
// environment gives for it, how it is shown in messages (passwords and
// tokens redacted), how a failure is classified, where its clone lives in a
// cache directory and how processes take turns on that clone.
//
// pkg/source (domains read from git) and pkg/state/git (the live catalog
// kept in git) use it. It is a leaf: it imports go-git and nothing of meshc.
package gitremote
