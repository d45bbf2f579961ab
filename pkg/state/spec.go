package state

import (
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"

	redactpkg "github.com/meshc-dev/meshc/pkg/redact"
)

// Spec names a live catalog: its backend and where that backend keeps it,
// from mesh.cue's state or from --state (ParseURL).
type Spec struct {
	Backend string // "file", "git", "postgres", ...
	Path    string // file: the catalog file; git: the catalog's file in the repository
	URL     string // postgres: the connection URL (the password comes from the environment)
	Repo    string // git: the repository's URL
	Branch  string // git: the branch holding the catalog
	BaseDir string // what relative paths are relative to; "" is the working directory
	// CacheDir is where a backend may keep a local copy (git: its clone);
	// "" keeps none on disk. Not part of the catalog's name.
	CacheDir string
}

// Abs resolves p, relative to BaseDir, as a path on this machine.
func (s Spec) Abs(p string) string {
	if p == "" || filepath.IsAbs(p) || s.BaseDir == "" {
		return p
	}
	return filepath.Join(s.BaseDir, p)
}

// String names the catalog for messages, in the form ParseURL reads, with
// any password redacted.
func (s Spec) String() string {
	switch s.Backend {
	case "file":
		return s.Path
	case "postgres":
		return redact(s.URL)
	case "git":
		out := "git+" + redact(s.Repo)
		if s.Branch != "" || s.Path != "" {
			out += "#" + s.Branch
		}
		if s.Path != "" {
			out += ":" + s.Path
		}
		return out
	}
	return fmt.Sprintf("backend %q", s.Backend)
}

// ParseURL reads a --state value: a path or file://PATH (the file
// backend; a relative path is relative to baseDir), postgres:// or
// postgresql:// (the postgres backend) or git+URL#BRANCH:PATH (the git
// backend; BRANCH and PATH may be left to the backend's defaults). Another
// scheme is an *UnsupportedError. It names a backend only: whether this
// meshc has it is Open's to say.
func ParseURL(s, baseDir string) (Spec, error) {
	if strings.TrimSpace(s) == "" {
		return Spec{}, errors.New("no live catalog location given: give a file path or a URL")
	}
	if repo, ok := cutPrefixFold(s, "git+"); ok {
		spec := Spec{Backend: "git", BaseDir: baseDir}
		var frag string
		spec.Repo, frag, _ = strings.Cut(repo, "#")
		spec.Branch, spec.Path, _ = strings.Cut(frag, ":") // a branch name has no colon
		if spec.Repo == "" {
			return Spec{}, fmt.Errorf("live catalog %s: no repository after git+: want git+URL#BRANCH:PATH", redact(s))
		}
		return spec, nil
	}
	scheme, rest, ok := cutScheme(s)
	switch {
	case !ok:
		return Spec{Backend: "file", Path: s, BaseDir: baseDir}, nil
	case scheme == "file":
		if rest == "" {
			return Spec{}, fmt.Errorf("live catalog %s: no path after file://", s)
		}
		return Spec{Backend: "file", Path: rest, BaseDir: baseDir}, nil
	case scheme == "postgres" || scheme == "postgresql":
		if _, err := url.Parse(s); err != nil {
			return Spec{}, fmt.Errorf("live catalog %s: not a postgres URL: %v", redact(s), errors.Unwrap(err))
		}
		return Spec{Backend: "postgres", URL: s, BaseDir: baseDir}, nil
	}
	return Spec{}, &UnsupportedError{What: redact(s), Have: Backends()}
}

// cutScheme splits "scheme://rest" (RFC 3986 scheme, two characters at
// least so that a Windows drive is a path), lower-casing the scheme.
func cutScheme(s string) (scheme, rest string, ok bool) {
	scheme, rest, ok = strings.Cut(s, "://")
	if !ok || len(scheme) < 2 {
		return "", "", false
	}
	for i, r := range scheme {
		letter := 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z'
		if !letter && (i == 0 || !('0' <= r && r <= '9' || r == '+' || r == '-' || r == '.')) {
			return "", "", false
		}
	}
	return strings.ToLower(scheme), rest, true
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return s, false
}

// redact hides a URL's credentials, in its user info or its query, so
// that messages may quote it.
func redact(s string) string { return redactpkg.URL(s) }
