package gitremote

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	gitssh "github.com/go-git/go-git/v5/plumbing/transport/ssh"
	"github.com/meshc-dev/meshc/pkg/redact"
	"golang.org/x/crypto/ssh"
)

// Environment variables git credentials are read from.
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

// HasScheme tells whether raw starts with a URL scheme (scheme://).
func HasScheme(raw string) bool { return schemeRE.MatchString(raw) }

// IsLocalPath tells a local repository path from a URL, as git does: an
// scp-like user@host:path has no slash before its first colon.
func IsLocalPath(raw string) bool {
	if schemeRE.MatchString(raw) {
		return false
	}
	before, _, found := strings.Cut(raw, ":")
	return !found || strings.Contains(before, "/") || !scpLikeRE.MatchString(raw)
}

// Endpoint parses raw, resolving a relative local path against root, and
// returns the URL to hand to go-git.
func Endpoint(raw, root string) (string, *transport.Endpoint, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", nil, errors.New("empty URL")
	}
	if IsLocalPath(raw) {
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

// DisplayURL is raw with any password in it redacted, for messages.
func DisplayURL(raw string) string {
	if !schemeRE.MatchString(raw) {
		return raw
	}
	// A user name alone may be a token (GitHub accepts one there): it is
	// hidden too, except the conventional "git" of ssh URLs; so are
	// secrets in the query.
	return redact.URL(raw)
}

// CacheName is the directory name of the clone of the repository at raw
// in a cache: <first 16 hex digits of the URL's SHA-256>-<its last path
// element>. Credentials in the URL do not change it; a relative local path
// is resolved against root first.
func CacheName(raw, root string) string {
	key := cacheKey(raw, root)
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])[:16] + "-" + lastElem(key)
}

// LockName is the file, inside each clone of a cache, that LockFile locks
// so that processes take turns on the clone.
const LockName = "meshc.lock"

func cacheKey(raw, root string) string {
	raw = strings.TrimSpace(raw)
	if IsLocalPath(raw) {
		if u, _, err := Endpoint(raw, root); err == nil {
			return filepath.ToSlash(u)
		}
		return raw
	}
	if u, err := url.Parse(raw); err == nil && schemeRE.MatchString(raw) {
		u.User = nil
		return u.String()
	}
	return raw
}

// lastElem is a URL's last path element, without .git, safe as a file
// name.
func lastElem(key string) string {
	key = strings.TrimRight(key, "/")
	if i := strings.LastIndexAny(key, "/:"); i >= 0 {
		key = key[i+1:]
	}
	key = strings.TrimSuffix(key, ".git")
	var b strings.Builder
	for _, c := range key {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_', c == '.':
			b.WriteRune(c)
		default:
			b.WriteByte('_')
		}
	}
	s := strings.Trim(b.String(), ".")
	if len(s) > 40 {
		s = s[:40]
	}
	if s == "" {
		s = "repo"
	}
	return s
}

// Auth picks the credentials for ep from the environment (getenv): for
// https, the token in MESHC_GIT_TOKEN, else GITHUB_TOKEN, unless the URL
// carries its own; for ssh, the key file in MESHC_SSH_KEY, else the agent
// at SSH_AUTH_SOCK. Other protocols need none.
func Auth(ep *transport.Endpoint, getenv func(string) string) (transport.AuthMethod, error) {
	switch ep.Protocol {
	case "https":
		if ep.User != "" {
			return nil, nil // the URL carries its own
		}
		tok := getenv(EnvToken)
		if tok == "" {
			tok = getenv(EnvGitHubToken)
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
		if key := getenv(EnvSSHKey); key != "" {
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
		if getenv(EnvSSHAuthSock) != "" {
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

// Credentials names where the credentials for rawURL come from, for a
// message saying what to check; "" when it needs none (file://, git://,
// a local path).
func Credentials(rawURL string) string {
	scheme, _, _ := strings.Cut(rawURL, "://")
	switch scheme {
	case "https":
		if u, err := url.Parse(rawURL); err == nil && u.User != nil {
			return "the credentials in the URL" // they win over the variables
		}
		return EnvToken + "/" + EnvGitHubToken
	case "ssh":
		return EnvSSHKey + " or the ssh agent (" + EnvSSHAuthSock + ")"
	}
	if !strings.Contains(rawURL, "://") && !IsLocalPath(rawURL) {
		return EnvSSHKey + " or the ssh agent (" + EnvSSHAuthSock + ")" // scp-like
	}
	return ""
}

// Failure is what kind of thing went wrong talking to a remote.
type Failure int

// The kinds of Failure; only Network is worth retrying. Timeout is not: a
// remote silent for a whole timeout is down or unreachable, and a run must
// end in bounded time.
const (
	Other Failure = iota
	Network
	AuthFailed
	NotFound
	Empty
	HostKey
	Timeout
)

// TimeoutError is an operation the remote did not finish within After.
// It is context.DeadlineExceeded to errors.Is.
type TimeoutError struct{ After time.Duration }

func (e *TimeoutError) Error() string { return fmt.Sprintf("no answer within %s", e.After) }
func (e *TimeoutError) Unwrap() error { return context.DeadlineExceeded }

// Classify sorts a remote operation's error.
func Classify(err error) Failure {
	var te *TimeoutError
	if errors.As(err, &te) {
		return Timeout
	}
	for {
		var ue *plumbing.UnexpectedError
		if !errors.As(err, &ue) || ue.Err == nil {
			break
		}
		err = ue.Err
	}
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return Other
	case errors.Is(err, transport.ErrAuthenticationRequired),
		errors.Is(err, transport.ErrAuthorizationFailed),
		errors.Is(err, transport.ErrInvalidAuthMethod):
		return AuthFailed
	case errors.Is(err, transport.ErrRepositoryNotFound):
		return NotFound
	case errors.Is(err, transport.ErrEmptyRemoteRepository):
		return Empty
	}
	var he *githttp.Err
	if errors.As(err, &he) {
		if c := he.StatusCode(); c >= 500 || c == 429 || c == 408 {
			return Network
		}
		return Other
	}
	msg := err.Error()
	for _, s := range []string{"knownhosts", "known_hosts", "host key"} {
		if strings.Contains(msg, s) {
			return HostKey
		}
	}
	for _, s := range []string{"unable to authenticate", "no supported methods remain"} {
		if strings.Contains(msg, s) {
			return AuthFailed
		}
	}
	var ne net.Error
	if errors.As(err, &ne) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ETIMEDOUT) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return Network
	}
	// Some transports flatten their errors to text.
	for _, s := range []string{"connection refused", "connection reset", "broken pipe", "timeout", "EOF", "TLS handshake"} {
		if strings.Contains(msg, s) {
			return Network
		}
	}
	return Other
}

// Error is a one-line message over the error that caused it, which
// errors.Is and errors.As still see.
type Error struct {
	Msg   string
	Cause error
}

func (e *Error) Error() string { return e.Msg }
func (e *Error) Unwrap() error { return e.Cause }

// OneLine is err's message on one line.
func OneLine(err error) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(err.Error(), "\n", "; ")), " ")
}
