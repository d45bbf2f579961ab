// Package redact hides secrets in what leaves meshc: the user information
// of URLs (a token given as a user name included), secret query
// parameters, and GitHub-style tokens anywhere in a text. Every message,
// report and file meshc writes passes through Text or URL, including the
// errors of net/http and go-git that quote the URL they were given.
package redact
