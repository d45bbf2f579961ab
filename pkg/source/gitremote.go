package source

import (
	"context"
	"errors"
	"os"
	"time"

	"github.com/go-git/go-git/v5/plumbing/transport"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/meshc-dev/meshc/pkg/internal/gitremote"
)

// Environment variables Git reads credentials from.
const (
	EnvToken       = gitremote.EnvToken
	EnvGitHubToken = gitremote.EnvGitHubToken
	EnvSSHKey      = gitremote.EnvSSHKey
	EnvSSHAuthSock = gitremote.EnvSSHAuthSock
)

func (g Git) getenv(key string) string {
	if g.Getenv != nil {
		return g.Getenv(key)
	}
	return os.Getenv(key)
}

// auth picks the credentials for ep from the environment.
func (g Git) auth(ep *transport.Endpoint) (transport.AuthMethod, error) {
	return gitremote.Auth(ep, g.getenv)
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
		// A timeout is not retried (gitremote.Timeout): a remote silent
		// for the whole timeout is down or unreachable, and the run must
		// end in bounded time.
		kind := gitremote.Classify(err)
		if kind != gitremote.Network || attempt > retries {
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
func (q *request) describe(kind gitremote.Failure, err error, attempts int) error {
	return &gitremote.Error{Msg: q.explain(kind, err, attempts).Error(), Cause: err}
}

func (q *request) explain(kind gitremote.Failure, err error, attempts int) error {
	credentials := gitremote.Credentials(q.url)
	switch kind {
	case gitremote.Timeout:
		return q.errorf("no answer from %s (%s) within %s: check that the remote is up and reachable from here, or raise --git-timeout", q.shown, q.refText(), q.g.timeout())
	case gitremote.Network:
		return q.errorf("cannot reach %s (%s) after %d attempts: %s", q.shown, q.refText(), attempts, oneLine(err))
	case gitremote.AuthFailed:
		if credentials == "" {
			return q.errorf("authentication failed for %s (%s)", q.shown, q.refText())
		}
		return q.errorf("authentication failed for %s (%s): check %s", q.shown, q.refText(), credentials)
	case gitremote.NotFound:
		if credentials == "" {
			return q.errorf("repository %s not found (%s)", q.shown, q.refText())
		}
		return q.errorf("repository %s not found (%s): check the URL, and that %s can read it", q.shown, q.refText(), credentials)
	case gitremote.Empty:
		return q.errorf("repository %s is empty: %s not found", q.shown, q.refText())
	case gitremote.HostKey:
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

func oneLine(err error) string { return gitremote.OneLine(err) }
