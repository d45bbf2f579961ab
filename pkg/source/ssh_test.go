package source_test

import (
	"context"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	gitssh "github.com/go-git/go-git/v5/plumbing/transport/ssh"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/meshc-dev/meshc/internal/gittest"
	"github.com/meshc-dev/meshc/pkg/source"
)

// These tests fetch over ssh from a real git server: an SSH server
// written with golang.org/x/crypto/ssh, on a loopback port, that accepts
// one public key and runs the real git-upload-pack. go-git checks the
// server's host key against the known_hosts files in SSH_KNOWN_HOSTS,
// which it reads with os.Getenv (as it does SSH_AUTH_SOCK): so these tests
// set the process environment, and none of them runs in parallel.

// sshAlias is a host name that only the ssh_config stub below knows, for
// scp-like URLs, which cannot carry a port.
const sshAlias = "orders-host"

// sshRemote is a bare repository, orders.git, served over ssh to one
// client key, with a work repository that publishes to it.
type sshRemote struct {
	srv    *gittest.SSHServer
	bare   *gittest.Repo
	work   *gittest.Repo
	key    *gittest.SSHKey // the key the server authorizes
	url    string          // ssh://git@127.0.0.1:PORT/orders.git
	hosts  string          // a known_hosts file that lists the server
	v1, v2 string          // main's commits; v1.0.0 is an annotated tag at v1
}

func newSSHRemote(t *testing.T) *sshRemote {
	t.Helper()
	gittest.NeedUploadPack(t)
	base, bare, work, v1, v2 := servedRepo(t)
	key := gittest.NewSSHKey(t)
	srv := gittest.StartSSH(t, base, key.Public)
	r := &sshRemote{srv: srv, bare: bare, work: work, key: key, url: srv.URL("orders.git"), v1: v1, v2: v2}
	if want := "ssh://git@127.0.0.1:" + strconv.Itoa(srv.Port) + "/orders.git"; r.url != want {
		t.Fatalf("URL %s; want %s", r.url, want)
	}
	r.hosts = gittest.WriteKnownHosts(t, srv.KnownHostsLine())
	t.Setenv("SSH_KNOWN_HOSTS", r.hosts)
	// Nothing from the agent of whoever runs the tests.
	t.Setenv(source.EnvSSHAuthSock, "")
	t.Setenv(source.EnvSSHKey, "")
	stubSSHConfig(t, srv.Port)
	return r
}

// sshConfigStub stands for ~/.ssh/config: it knows only sshAlias, as
// Hostname 127.0.0.1 and the server's port, so that the tests do not
// depend on the user's configuration.
type sshConfigStub struct{ port int }

func (s sshConfigStub) Get(alias, key string) string {
	if alias != sshAlias {
		return ""
	}
	switch key {
	case "Hostname":
		return "127.0.0.1"
	case "Port":
		return strconv.Itoa(s.port)
	}
	return ""
}

func stubSSHConfig(t *testing.T, port int) {
	old := gitssh.DefaultSSHConfig
	gitssh.DefaultSSHConfig = sshConfigStub{port}
	t.Cleanup(func() { gitssh.DefaultSSHConfig = old })
}

// waitExecs returns the server's commands once every one has ended: a
// client may be done before the server has reaped git-upload-pack.
func waitExecs(t *testing.T, srv *gittest.SSHServer) []gittest.SSHExec {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		execs := srv.Execs()
		running := false
		for _, e := range execs {
			running = running || e.Status == -1
		}
		if !running {
			return execs
		}
		if time.Now().After(deadline) {
			t.Fatalf("git-upload-pack still running after 10s: %+v", execs)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// wantServed checks that every command the server ran was go-git's
// git-upload-pack of the repository, with path as sent, and succeeded.
func wantServed(t *testing.T, r *sshRemote, path string) {
	t.Helper()
	execs := waitExecs(t, r.srv)
	if len(execs) == 0 {
		t.Error("the server ran no command")
	}
	for _, e := range execs {
		if e.Command != "git-upload-pack '"+path+"'" || e.Dir != r.bare.Dir || e.Status != 0 {
			t.Errorf("server ran %q in %s, exit status %d; want git-upload-pack '%s' in %s, 0", e.Command, e.Dir, e.Status, path, r.bare.Dir)
		}
	}
	for _, a := range r.srv.Auths() {
		if a.User != "git" || a.Key != r.key.AuthorizedKey() || !a.Accepted {
			t.Errorf("auth attempt %+v; want user git with the authorized key, accepted", a)
		}
	}
}

// Case 1: a private key file in MESHC_SSH_KEY.
func TestGitSSHKeyFile(t *testing.T) {
	r := newSSHRemote(t)
	keyFile := r.key.WriteFile(t, t.TempDir())
	if b, err := os.ReadFile(keyFile); err != nil || !strings.HasPrefix(string(b), "-----BEGIN OPENSSH PRIVATE KEY-----\n") {
		t.Fatalf("key file: %v\n%s", err, b)
	}
	if fi, err := os.Stat(keyFile); err != nil || (runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600) {
		t.Fatalf("key file mode: %v, %v; want 0600", fi, err)
	}
	g, l := httpFetcher(t, env(source.EnvSSHKey, keyFile))

	checkFetches(t, g, l, r.url, r.v1, r.v2, r.work, r.bare)

	// A commit by SHA in a fresh cache: git-upload-pack serves only
	// advertised refs by default, so every branch and tag is fetched.
	g2, l2 := httpFetcher(t, env(source.EnvSSHKey, keyFile))
	d := mustFetch(t, g2, domain(r.url, r.v1, "mesh"))
	if d.Source.Commit != r.v1 || read(t, d, "orders.cue") != version(1)["mesh/orders.cue"] {
		t.Errorf("commit %s: got %s", r.v1, d.Source.Commit)
	}
	if l2.count("git: fetching all branches and tags") != 1 {
		t.Errorf("commit was not found through all branches and tags:\n%s", l2)
	}
	wantServed(t, r, "/orders.git")

	// An scp-like URL, its host's port from ssh_config: the path is sent
	// relative, as written.
	r.srv.Reset()
	scp := "git@" + sshAlias + ":orders.git"
	g3, _ := httpFetcher(t, env(source.EnvSSHKey, keyFile))
	d = mustFetch(t, g3, domain(scp, "v1.0.0", "mesh"))
	if d.Source.Commit != r.v1 || d.Source.Git != scp || read(t, d, "orders.cue") != version(1)["mesh/orders.cue"] {
		t.Errorf("scp-like URL: %+v; want commit %s", d.Source, r.v1)
	}
	wantServed(t, r, "orders.git")
}

// Case 2: the ssh agent at SSH_AUTH_SOCK, with MESHC_SSH_KEY unset.
func TestGitSSHAgent(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("go-git talks to Pageant on Windows, not to SSH_AUTH_SOCK")
	}
	r := newSSHRemote(t)
	// As in production: the process environment (Getenv nil).
	t.Setenv(source.EnvSSHAuthSock, gittest.StartSSHAgent(t, r.key))
	g, l := httpFetcher(t, nil)
	d := mustFetch(t, g, domain(r.url, "main", "mesh"))
	if d.Source.Commit != r.v2 || read(t, d, "orders.cue") != version(2)["mesh/orders.cue"] {
		t.Errorf("commit %s; want %s", d.Source.Commit, r.v2)
	}
	d = mustFetch(t, g, domain(r.url, "v1.0.0", "mesh"))
	if d.Source.Commit != r.v1 {
		t.Errorf("tag v1.0.0: commit %s; want %s", d.Source.Commit, r.v1)
	}
	if l.count("git: cloning") != 1 {
		t.Errorf("first fetch did not clone:\n%s", l)
	}
	wantServed(t, r, "/orders.git")

	// An agent with another key first: the client goes on to the next.
	r.srv.Reset()
	other := gittest.NewSSHKey(t)
	t.Setenv(source.EnvSSHAuthSock, gittest.StartSSHAgent(t, other, r.key))
	g, _ = httpFetcher(t, nil)
	if d := mustFetch(t, g, domain(r.url, "main", "mesh")); d.Source.Commit != r.v2 {
		t.Errorf("agent with two keys: commit %s; want %s", d.Source.Commit, r.v2)
	}
	if n := r.srv.Conns(); n != 2 { // list, fetch
		t.Errorf("%d connections; want 2", n)
	}

	// An agent without the key: an authentication failure, not retried.
	r.srv.Reset()
	t.Setenv(source.EnvSSHAuthSock, gittest.StartSSHAgent(t, other))
	g, l = httpFetcher(t, nil)
	g.Retries = 3
	_, err := g.Fetch(context.Background(), domain(r.url, "main", "mesh"))
	wantErr(t, err, r.url, "ref main",
		"authentication failed for "+r.url+" (ref main): check MESHC_SSH_KEY or the ssh agent (SSH_AUTH_SOCK)")
	t.Logf("wrong agent key: %v", err)
	if n := r.srv.Conns(); n != 1 || l.count("git: retrying") != 0 {
		t.Errorf("%d connections, %d retries; want 1 and none:\n%s", n, l.count("git: retrying"), l)
	}

	// An agent with no keys at all.
	r.srv.Reset()
	t.Setenv(source.EnvSSHAuthSock, gittest.StartSSHAgent(t))
	g, _ = httpFetcher(t, nil)
	_, err = g.Fetch(context.Background(), domain(r.url, "main", "mesh"))
	wantErr(t, err, r.url, "ref main", "authentication failed for "+r.url+" (ref main): check MESHC_SSH_KEY")
	t.Logf("empty agent: %v", err)
	if auths := r.srv.Auths(); len(auths) != 0 {
		t.Errorf("auth attempts %+v; want none (no key to offer)", auths)
	}

	// SSH_AUTH_SOCK naming no agent: a clear error, before connecting.
	r.srv.Reset()
	stale := filepath.Join(t.TempDir(), "gone.sock")
	t.Setenv(source.EnvSSHAuthSock, stale)
	g, _ = httpFetcher(t, nil)
	_, err = g.Fetch(context.Background(), domain(r.url, "main", "mesh"))
	wantErr(t, err, r.url, "ref main", "ssh agent (SSH_AUTH_SOCK)", stale)
	t.Logf("no agent at SSH_AUTH_SOCK: %v", err)
	if n := r.srv.Conns(); n != 0 {
		t.Errorf("%d connections; want none", n)
	}

	// MESHC_SSH_KEY wins over the agent.
	r.srv.Reset()
	t.Setenv(source.EnvSSHAuthSock, gittest.StartSSHAgent(t, r.key))
	t.Setenv(source.EnvSSHKey, other.WriteFile(t, t.TempDir()))
	g, _ = httpFetcher(t, nil)
	_, err = g.Fetch(context.Background(), domain(r.url, "main", "mesh"))
	wantErr(t, err, r.url, "ref main", "authentication failed")
	for _, a := range r.srv.Auths() {
		if a.Key != other.AuthorizedKey() {
			t.Errorf("the agent's key was offered although MESHC_SSH_KEY is set: %+v", a)
		}
	}
}

// Case 3: a key the server does not authorize.
func TestGitSSHAuthFailure(t *testing.T) {
	r := newSSHRemote(t)
	wrong := gittest.NewSSHKey(t)
	keyFile := wrong.WriteFile(t, t.TempDir())
	for _, ref := range []string{"main", strings.Repeat("ab", 20)} { // listed, and fetched by SHA
		t.Run(ref[:4], func(t *testing.T) {
			g, l := httpFetcher(t, env(source.EnvSSHKey, keyFile))
			g.Retries = 3 // so that a retry would show
			r.srv.Reset()
			_, err := g.Fetch(context.Background(), domain(r.url, ref, "mesh"))
			wantErr(t, err, r.url, "ref "+ref,
				"authentication failed for "+r.url+" (ref "+ref+"): check MESHC_SSH_KEY or the ssh agent (SSH_AUTH_SOCK)")
			t.Logf("user sees: %v", err)
			if n := r.srv.Conns(); n != 1 {
				t.Errorf("%d connections; want 1 (no retries)", n)
			}
			auths := r.srv.Auths()
			if len(auths) == 0 {
				t.Error("the server saw no authentication attempt")
			}
			for _, a := range auths {
				if a.Accepted || a.Key != wrong.AuthorizedKey() || a.User != "git" {
					t.Errorf("auth attempt %+v; want user git with the unauthorized key, refused", a)
				}
			}
			if execs := r.srv.Execs(); len(execs) != 0 {
				t.Errorf("the server ran %+v for an unauthenticated client", execs)
			}
			if n := l.count("git: retrying"); n != 0 {
				t.Errorf("an auth failure was retried %d times:\n%s", n, l)
			}
		})
	}
}

// Case 4: a host key that known_hosts does not vouch for.
func TestGitSSHHostKey(t *testing.T) {
	r := newSSHRemote(t)
	keyFile := r.key.WriteFile(t, t.TempDir())
	otherKey := gittest.NewSSHKey(t).AuthorizedKey()
	hostPort := fmt.Sprintf("[127.0.0.1]:%d", r.srv.Port)
	tests := []struct {
		name       string
		knownHosts string // SSH_KNOWN_HOSTS
		conns      int
		keyErr     int // the cause is a *knownhosts.KeyError wanting this many keys; -1 none
		fragments  []string
	}{
		{
			"unknown host",
			gittest.WriteKnownHosts(t, "[127.0.0.1]:1 "+r.srv.HostKey.AuthorizedKey(), "github.com "+otherKey),
			1, 0,
			[]string{"ssh host key of " + r.url + " is unknown (ref main)", "add the host to ~/.ssh/known_hosts", "SSH_KNOWN_HOSTS", "ssh-keyscan"},
		},
		{
			// The same address with port 22 is another host to ssh.
			"listed without its port",
			gittest.WriteKnownHosts(t, "127.0.0.1 "+r.srv.HostKey.AuthorizedKey()),
			1, 0,
			[]string{"ssh host key of " + r.url + " is unknown (ref main)"},
		},
		{
			"another key",
			gittest.WriteKnownHosts(t, hostPort+" "+otherKey),
			1, 1,
			[]string{"ssh host key of " + r.url + " does not match known_hosts (ref main)", "may be an attack", "replace its line"},
		},
		{
			"no known_hosts file",
			filepath.Join(t.TempDir(), "missing_known_hosts"),
			0, -1,
			[]string{"ssh host key of " + r.url + " not verified (ref main)", "unable to find any valid known_hosts file"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("SSH_KNOWN_HOSTS", tt.knownHosts)
			g, l := httpFetcher(t, env(source.EnvSSHKey, keyFile))
			g.Retries = 3
			r.srv.Reset()
			_, err := g.Fetch(context.Background(), domain(r.url, "main", "mesh"))
			wantErr(t, err, r.url, "ref main", tt.fragments...)
			t.Logf("user sees: %v", err)
			// The cause is kept, for callers (and a clearer message) to
			// tell an unknown host from a changed key.
			var ke *knownhosts.KeyError
			if got := errors.As(err, &ke); got != (tt.keyErr >= 0) || (got && len(ke.Want) != tt.keyErr) {
				t.Errorf("errors.As(err, *knownhosts.KeyError) = %v (%+v); want %v with %d known keys", got, ke, tt.keyErr >= 0, tt.keyErr)
			}
			if n := r.srv.Conns(); n != tt.conns {
				t.Errorf("%d connections; want %d (no retries)", n, tt.conns)
			}
			if auths := r.srv.Auths(); len(auths) != 0 {
				t.Errorf("the client authenticated to an unverified host: %+v", auths)
			}
			if n := l.count("git: retrying"); n != 0 {
				t.Errorf("a host key failure was retried %d times:\n%s", n, l)
			}
		})
	}

	// With the right line among others, it works again.
	t.Setenv("SSH_KNOWN_HOSTS", gittest.WriteKnownHosts(t, "github.com "+otherKey, r.srv.KnownHostsLine()))
	g, _ := httpFetcher(t, env(source.EnvSSHKey, keyFile))
	if d := mustFetch(t, g, domain(r.url, "main", "mesh")); d.Source.Commit != r.v2 {
		t.Errorf("commit %s; want %s", d.Source.Commit, r.v2)
	}
}

// Case 5: MESHC_SSH_KEY naming a file that is not a usable key.
func TestGitSSHBadKeyFile(t *testing.T) {
	r := newSSHRemote(t)
	dir := t.TempDir()
	missing := filepath.Join(dir, "no_such_key")
	garbage := filepath.Join(dir, "not_a_key")
	if err := os.WriteFile(garbage, []byte("hello\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	encrypted := filepath.Join(dir, "encrypted_key")
	block, err := ssh.MarshalPrivateKeyWithPassphrase(r.key.Private, "", []byte("s3cret"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(encrypted, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, file string
		fragments  []string
	}{
		{"missing", missing, []string{"reading the ssh key in MESHC_SSH_KEY (" + missing + ")", "no such file or directory"}},
		{"not a key", garbage, []string{"reading the ssh key in MESHC_SSH_KEY (" + garbage + ")", "no key found"}},
		// meshc gives no passphrase; it says what to do instead.
		{"passphrase", encrypted, []string{"the ssh key in MESHC_SSH_KEY (" + encrypted + ") is protected by a passphrase", "load it into an ssh agent"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			g, l := httpFetcher(t, env(source.EnvSSHKey, tt.file))
			r.srv.Reset()
			_, err := g.Fetch(context.Background(), domain(r.url, "main", "mesh"))
			wantErr(t, err, r.url, "ref main", tt.fragments...)
			t.Logf("user sees: %v", err)
			if n := r.srv.Conns(); n != 0 {
				t.Errorf("%d connections; want none", n)
			}
			if n := l.count("git: retrying"); n != 0 {
				t.Errorf("retried %d times", n)
			}
		})
	}
}

// A repository the server does not have.
func TestGitSSHNotFound(t *testing.T) {
	r := newSSHRemote(t)
	keyFile := r.key.WriteFile(t, t.TempDir())
	g, l := httpFetcher(t, env(source.EnvSSHKey, keyFile))
	url := r.srv.URL("nope.git")
	_, err := g.Fetch(context.Background(), domain(url, "main", "mesh"))
	wantErr(t, err, url, "ref main", "repository "+url+" not found (ref main)", "MESHC_SSH_KEY")
	t.Logf("user sees: %v", err)
	if n := r.srv.Conns(); n != 1 || l.count("git: retrying") != 0 {
		t.Errorf("%d connections, %d retries; want 1, none", n, l.count("git: retrying"))
	}
	if execs := waitExecs(t, r.srv); len(execs) != 1 || execs[0].Status == 0 {
		t.Errorf("server ran %+v; want one failed git-upload-pack", execs)
	}
}
