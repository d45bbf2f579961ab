package source

import (
	"context"
	"errors"
	"fmt"
	"github.com/meshc-dev/meshc/pkg/redact"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	gitssh "github.com/go-git/go-git/v5/plumbing/transport/ssh"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// Environment variables Git reads credentials from.
const (
	EnvToken       = "MESHC_GIT_TOKEN"
	EnvGitHubToken = "GITHUB_TOKEN"
	EnvSSHKey      = "MESHC_SSH_KEY"
	EnvSSHAuthSock = "SSH_AUTH_SOCK"
)

var (
	schemeRE  = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*://`)
	scpLikeRE = regexp.MustCompile(`^(?:[^@/]+@)?[^:/\s]+:[^\\]`)
)

// isLocalPath tells a local repository path from a URL, as git does: an
// scp-like user@host:path has no slash before its first colon.
func isLocalPath(raw string) bool {
	if schemeRE.MatchString(raw) {
		return false
	}
	before, _, found := strings.Cut(raw, ":")
	return !found || strings.Contains(before, "/") || !scpLikeRE.MatchString(raw)
}

// endpoint parses raw, resolving a relative local path against root, and
// returns the URL to hand to go-git.
func endpoint(raw, root string) (string, *transport.Endpoint, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", nil, errors.New("empty URL")
	}
	if isLocalPath(raw) {
		p := filepath.FromSlash(raw)
		if !filepath.IsAbs(p) && root != "" {
			p = filepath.Join(root, p)
		}
		abs, err := filepath.Abs(p)
		if err != nil {
			return "", nil, err
		}
		raw = abs
	}
	ep, err := transport.NewEndpoint(raw)
	if err != nil {
		return "", nil, err
	}
	switch ep.Protocol {
	case "file", "https", "http", "ssh", "git":
		return raw, ep, nil
	}
	return "", nil, fmt.Errorf("unsupported scheme %s: use https://, ssh://, git://, file:// or a local path", ep.Protocol)
}

// displayURL is raw with any password in it redacted, for messages.
func displayURL(raw string) string {
	if !schemeRE.MatchString(raw) {
		return raw
	}
	return redact.URL(raw)
}

func (g Git) getenv(key string) string {
	if g.Getenv != nil {
		return g.Getenv(key)
	}
	return os.Getenv(key)
}

// auth picks the credentials for ep from the environment.
func (g Git) auth(ep *transport.Endpoint) (transport.AuthMethod, error) {
	switch ep.Protocol {
	case "https":
		if ep.User != "" {
			return nil, nil // the URL carries its own
		}
		tok := g.getenv(EnvToken)
		if tok == "" {
			tok = g.getenv(EnvGitHubToken)
		}
		if tok == "" {
			return nil, nil
		}
		return &githttp.BasicAuth{Username: "x-access-token", Password: tok}, nil
	case "ssh":
		user := ep.User
		if user == "" {
			user = "git"
		}
		if key := g.getenv(EnvSSHKey); key != "" {
			a, err := gitssh.NewPublicKeysFromFile(user, key, "")
			var pass *ssh.PassphraseMissingError
			if errors.As(err, &pass) || (err != nil && strings.Contains(err.Error(), "bcrypt_pbkdf: empty password")) {
				return nil, fmt.Errorf("the ssh key in %s (%s) is protected by a passphrase: use an unencrypted key, or load it into an ssh agent and unset %s", EnvSSHKey, key, EnvSSHKey)
			}
			if err != nil {
				return nil, fmt.Errorf("reading the ssh key in %s (%s): %v", EnvSSHKey, key, err)
			}
			return a, nil
		}
		if g.getenv(EnvSSHAuthSock) != "" {
			a, err := gitssh.NewSSHAgentAuth(user)
			if err != nil {
				return nil, fmt.Errorf("ssh agent (%s): %v", EnvSSHAuthSock, err)
			}
			return a, nil
		}
		return nil, fmt.Errorf("no ssh credentials: set %s to a private key file or run an ssh agent (%s)", EnvSSHKey, EnvSSHAuthSock)
	}
	return nil, nil
}

// failure is what kind of thing went wrong talking to a remote.
type failure int

const (
	failOther failure = iota
	failNetwork
	failAuth
	failNotFound
	failEmpty
	failHostKey
	failTimeout
)

// classify sorts a remote operation's error; only failNetwork is worth
// retrying.
func classify(err error) failure {
	for {
		var ue *plumbing.UnexpectedError
		if !errors.As(err, &ue) || ue.Err == nil {
			break
		}
		err = ue.Err
	}
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return failOther
	case errors.Is(err, transport.ErrAuthenticationRequired),
		errors.Is(err, transport.ErrAuthorizationFailed),
		errors.Is(err, transport.ErrInvalidAuthMethod):
		return failAuth
	case errors.Is(err, transport.ErrRepositoryNotFound):
		return failNotFound
	case errors.Is(err, transport.ErrEmptyRemoteRepository):
		return failEmpty
	}
	var he *githttp.Err
	if errors.As(err, &he) {
		if c := he.StatusCode(); c >= 500 || c == 429 || c == 408 {
			return failNetwork
		}
		return failOther
	}
	msg := err.Error()
	for _, s := range []string{"knownhosts", "known_hosts", "host key"} {
		if strings.Contains(msg, s) {
			return failHostKey
		}
	}
	for _, s := range []string{"unable to authenticate", "no supported methods remain"} {
		if strings.Contains(msg, s) {
			return failAuth
		}
	}
	var ne net.Error
	if errors.As(err, &ne) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ETIMEDOUT) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return failNetwork
	}
	// Some transports flatten their errors to text.
	for _, s := range []string{"connection refused", "connection reset", "broken pipe", "timeout", "EOF", "TLS handshake"} {
		if strings.Contains(msg, s) {
			return failNetwork
		}
	}
	return failOther
}

// retry runs op, retrying transient failures with exponential backoff,
// and turns its final error into one line naming the domain, URL and ref.
func (q *request) retry(ctx context.Context, what string, op func(context.Context) error) error {
	if q.authErr != nil {
		return q.errorf("%s (%s): %v", q.shown, q.refText(), q.authErr)
	}
	retries := q.g.Retries
	switch {
	case retries == 0:
		retries = DefaultRetries
	case retries < 0:
		retries = 0
	}
	wait := q.g.Backoff
	if wait <= 0 {
		wait = DefaultBackoff
	}
	for attempt := 1; ; attempt++ {
		err := q.attempt(ctx, op)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return q.errorf("fetching %s (%s): %w", q.shown, q.refText(), ctx.Err())
		}
		kind := classify(err)
		var te *timeoutError
		if errors.As(err, &te) {
			// Not retried: a remote silent for the whole timeout is down
			// or unreachable, and the run must end in bounded time.
			kind = failTimeout
		}
		if kind != failNetwork || attempt > retries {
			return q.describe(kind, err, attempt)
		}
		q.log("git: retrying", "op", what, "attempt", attempt, "wait", wait, "error", oneLine(err))
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return q.errorf("fetching %s (%s): %w", q.shown, q.refText(), ctx.Err())
		}
		wait *= 2
	}
}

// describe says what went wrong, and what to check, in one line that
// keeps the cause for errors.Is and errors.As.
func (q *request) describe(kind failure, err error, attempts int) error {
	return &causedError{msg: q.explain(kind, err, attempts).Error(), cause: err}
}

func (q *request) explain(kind failure, err error, attempts int) error {
	scheme, _, _ := strings.Cut(q.url, "://")
	credentials := ""
	switch scheme {
	case "https":
		credentials = EnvToken + "/" + EnvGitHubToken
		if u, err := url.Parse(q.url); err == nil && u.User != nil {
			credentials = "the credentials in the URL" // they win over the variables
		}
	case "ssh":
		credentials = EnvSSHKey + " or the ssh agent (" + EnvSSHAuthSock + ")"
	}
	if !strings.Contains(q.url, "://") && !isLocalPath(q.url) {
		credentials = EnvSSHKey + " or the ssh agent (" + EnvSSHAuthSock + ")"
	}
	switch kind {
	case failTimeout:
		return q.errorf("no answer from %s (%s) within %s: check that the remote is up and reachable from here, or raise --git-timeout", q.shown, q.refText(), q.g.timeout())
	case failNetwork:
		return q.errorf("cannot reach %s (%s) after %d attempts: %s", q.shown, q.refText(), attempts, oneLine(err))
	case failAuth:
		if credentials == "" {
			return q.errorf("authentication failed for %s (%s)", q.shown, q.refText())
		}
		return q.errorf("authentication failed for %s (%s): check %s", q.shown, q.refText(), credentials)
	case failNotFound:
		if credentials == "" {
			return q.errorf("repository %s not found (%s)", q.shown, q.refText())
		}
		return q.errorf("repository %s not found (%s): check the URL, and that %s can read it", q.shown, q.refText(), credentials)
	case failEmpty:
		return q.errorf("repository %s is empty: %s not found", q.shown, q.refText())
	case failHostKey:
		var ke *knownhosts.KeyError
		switch {
		case errors.As(err, &ke) && len(ke.Want) > 0:
			return q.errorf("ssh host key of %s does not match known_hosts (%s): the server presents another key than the one listed, which may be an attack; if its key was changed on purpose, replace its line in ~/.ssh/known_hosts (or the files in SSH_KNOWN_HOSTS)", q.shown, q.refText())
		case errors.As(err, &ke):
			return q.errorf("ssh host key of %s is unknown (%s): add the host to ~/.ssh/known_hosts (or the files in SSH_KNOWN_HOSTS) after checking its fingerprint, e.g. with ssh-keyscan", q.shown, q.refText())
		}
		return q.errorf("ssh host key of %s not verified (%s): %s; ~/.ssh/known_hosts or the files in SSH_KNOWN_HOSTS must list the host", q.shown, q.refText(), oneLine(err))
	}
	return q.errorf("fetching %s (%s): %s", q.shown, q.refText(), oneLine(err))
}

// causedError is a one-line message over the error that caused it.
type causedError struct {
	msg   string
	cause error
}

func (e *causedError) Error() string { return e.msg }
func (e *causedError) Unwrap() error { return e.cause }

func oneLine(err error) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(err.Error(), "\n", "; ")), " ")
}
