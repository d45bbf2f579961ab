package gittest

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

// NeedUploadPack skips the test when git's git-upload-pack, which serves
// fetches, is not in git's exec path, and returns its path.
func NeedUploadPack(t testing.TB) string {
	t.Helper()
	NeedGit(t)
	out, err := exec.Command("git", "--exec-path").Output()
	if err != nil {
		t.Skipf("git --exec-path: %v", err)
	}
	name := "git-upload-pack"
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	bin := filepath.Join(strings.TrimSpace(string(out)), name)
	if _, err := os.Stat(bin); err != nil {
		t.Skipf("git-upload-pack is not installed (no %s): install a git package that ships it", bin)
	}
	return bin
}

// SSHKey is an ed25519 key pair, for a client or a server.
type SSHKey struct {
	Private ed25519.PrivateKey
	Signer  ssh.Signer
	Public  ssh.PublicKey
}

// NewSSHKey generates an ed25519 key pair.
func NewSSHKey(t testing.TB) *SSHKey {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return &SSHKey{Private: priv, Signer: signer, Public: signer.PublicKey()}
}

// AuthorizedKey is the public key as a line of authorized_keys, without
// the newline: "ssh-ed25519 AAAA...".
func (k *SSHKey) AuthorizedKey() string {
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(k.Public)))
}

// WriteFile writes the private key, unencrypted, in OpenSSH's PEM format
// ("-----BEGIN OPENSSH PRIVATE KEY-----"), with mode 0600, as ssh-keygen
// does, to a new file in dir, and returns its path.
func (k *SSHKey) WriteFile(t testing.TB, dir string) string {
	t.Helper()
	block, err := ssh.MarshalPrivateKey(k.Private, "meshc test key")
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "id_ed25519")
	if err := os.WriteFile(p, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// StartSSHAgent serves an ssh agent holding keys on a unix socket until
// the test ends, and returns the socket's path, for SSH_AUTH_SOCK.
func StartSSHAgent(t testing.TB, keys ...*SSHKey) string {
	t.Helper()
	keyring := agent.NewKeyring()
	for _, k := range keys {
		if err := keyring.Add(agent.AddedKey{PrivateKey: k.Private, Comment: "meshc test key"}); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	// A unix socket's path is limited to about 104 bytes.
	if len(dir) > 80 {
		d, err := os.MkdirTemp("", "agent")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.RemoveAll(d) })
		dir = d
	}
	sock := filepath.Join(dir, "agent.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatalf("ssh agent: %v", err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	conns := map[net.Conn]bool{}
	wg.Go(func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns[c] = true
			mu.Unlock()
			wg.Go(func() {
				defer c.Close()
				_ = agent.ServeAgent(keyring, c)
				mu.Lock()
				delete(conns, c)
				mu.Unlock()
			})
		}
	})
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		for c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return sock
}

// SSHAuth is one public-key authentication attempt an SSHServer saw.
type SSHAuth struct {
	User string
	// Key is the key offered, as AuthorizedKey shows it.
	Key      string
	Accepted bool
}

// SSHExec is one command an SSHServer was asked to run.
type SSHExec struct {
	// Command is the command line as the client sent it.
	Command string
	// Dir is the repository directory it was mapped to; "" when the
	// command was refused or still runs.
	Dir string
	// Status is the exit status sent back; -1 while the command runs.
	Status int
}

// SSHServer serves every repository below a directory over ssh, on a
// loopback port, until the test ends: an SSH server that accepts only one
// public key, and answers "exec" requests for git-upload-pack by running
// the real git-upload-pack on the repository the path names. It records
// connections, authentication attempts and commands.
type SSHServer struct {
	// Addr is 127.0.0.1:PORT, Port its port.
	Addr string
	Port int
	// HostKey is the server's generated ed25519 host key.
	HostKey *SSHKey

	base       string
	bin        string
	authorized ssh.PublicKey
	l          net.Listener
	wg         sync.WaitGroup
	stderr     lockedBuffer

	mu    sync.Mutex
	open  map[net.Conn]bool
	conns int
	auths []SSHAuth
	execs []SSHExec
}

// StartSSH serves every repository below base over ssh to clients that
// authenticate with the key authorized, and stops when the test ends. It
// skips the test when git-upload-pack is missing.
func StartSSH(t testing.TB, base string, authorized ssh.PublicKey) *SSHServer {
	t.Helper()
	bin := NeedUploadPack(t)
	s := &SSHServer{HostKey: NewSSHKey(t), base: base, bin: bin, authorized: authorized, open: map[net.Conn]bool{}}
	cfg := &ssh.ServerConfig{
		PublicKeyCallback: s.checkKey,
		ServerVersion:     "SSH-2.0-meshc-gittest",
	}
	cfg.AddHostKey(s.HostKey.Signer)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.l = l
	s.Addr = l.Addr().String()
	s.Port = l.Addr().(*net.TCPAddr).Port
	s.wg.Go(func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			s.mu.Lock()
			s.conns++
			s.open[c] = true
			s.mu.Unlock()
			s.wg.Go(func() {
				s.serveConn(c, cfg)
				c.Close()
				s.mu.Lock()
				delete(s.open, c)
				s.mu.Unlock()
			})
		}
	})
	t.Cleanup(func() {
		l.Close()
		s.mu.Lock()
		for c := range s.open {
			c.Close()
		}
		s.mu.Unlock()
		s.wg.Wait()
		if t.Failed() && s.stderr.Len() > 0 {
			t.Logf("ssh server log:\n%s", s.stderr.String())
		}
	})
	return s
}

func (s *SSHServer) checkKey(meta ssh.ConnMetadata, key ssh.PublicKey) (*ssh.Permissions, error) {
	ok := s.authorized != nil && bytes.Equal(key.Marshal(), s.authorized.Marshal())
	s.mu.Lock()
	s.auths = append(s.auths, SSHAuth{
		User:     meta.User(),
		Key:      strings.TrimSpace(string(ssh.MarshalAuthorizedKey(key))),
		Accepted: ok,
	})
	s.mu.Unlock()
	if !ok {
		return nil, errors.New("key not authorized")
	}
	return &ssh.Permissions{}, nil
}

func (s *SSHServer) logf(format string, args ...any) {
	fmt.Fprintf(&s.stderr, format+"\n", args...)
}

func (s *SSHServer) serveConn(c net.Conn, cfg *ssh.ServerConfig) {
	sc, chans, reqs, err := ssh.NewServerConn(c, cfg)
	if err != nil {
		s.logf("handshake with %s: %v", c.RemoteAddr(), err)
		return
	}
	defer sc.Close()
	s.wg.Go(func() { ssh.DiscardRequests(reqs) })
	for nc := range chans {
		if nc.ChannelType() != "session" {
			_ = nc.Reject(ssh.UnknownChannelType, "only sessions")
			continue
		}
		ch, chReqs, err := nc.Accept()
		if err != nil {
			s.logf("accepting a channel: %v", err)
			continue
		}
		s.wg.Go(func() { s.serveSession(ch, chReqs) })
	}
}

// serveSession runs the one command a session asks for.
func (s *SSHServer) serveSession(ch ssh.Channel, reqs <-chan *ssh.Request) {
	defer ch.Close()
	for req := range reqs {
		if req.Type != "exec" {
			// env, pty-req, shell...: not served.
			if req.WantReply {
				_ = req.Reply(false, nil)
			}
			continue
		}
		var payload struct{ Command string }
		if err := ssh.Unmarshal(req.Payload, &payload); err != nil {
			_ = req.Reply(false, nil)
			continue
		}
		// Recorded before the reply, so that a client that has finished
		// sees it; the status is filled in when the command ends.
		s.mu.Lock()
		i := len(s.execs)
		s.execs = append(s.execs, SSHExec{Command: payload.Command, Status: -1})
		s.mu.Unlock()
		_ = req.Reply(true, nil)
		ex := s.exec(ch, payload.Command)
		s.mu.Lock()
		if i < len(s.execs) { // unless Reset meanwhile
			s.execs[i] = ex
		}
		s.mu.Unlock()
		_, _ = ch.SendRequest("exit-status", false, ssh.Marshal(struct{ Status uint32 }{uint32(ex.Status)}))
		s.wg.Go(func() { ssh.DiscardRequests(reqs) }) // ends when the channel closes
		return
	}
}

// exec runs command, a git-upload-pack, with the channel as its stdin,
// stdout and stderr.
func (s *SSHServer) exec(ch ssh.Channel, command string) SSHExec {
	ex := SSHExec{Command: command, Status: 1}
	repo, err := uploadPackPath(command)
	if err != nil {
		s.logf("refused %q: %v", command, err)
		fmt.Fprintf(ch.Stderr(), "fatal: %v\n", err)
		return ex
	}
	// The path is relative to the served directory, and may not leave it.
	ex.Dir = filepath.Join(s.base, filepath.FromSlash(path.Clean("/"+repo)))
	cmd := exec.Command(s.bin, ex.Dir)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout = ch
	cmd.Stderr = io.MultiWriter(ch.Stderr(), &s.stderr)
	cmd.WaitDelay = 10 * time.Second
	stdin, err := cmd.StdinPipe()
	if err != nil {
		s.logf("%v", err)
		return ex
	}
	if err := cmd.Start(); err != nil {
		s.logf("starting %s: %v", s.bin, err)
		fmt.Fprintf(ch.Stderr(), "fatal: %v\n", err)
		return ex
	}
	// Not cmd.Stdin = ch: Wait would then wait for the client to close
	// its side, which it may do only after the exit status.
	s.wg.Go(func() {
		_, _ = io.Copy(stdin, ch)
		stdin.Close()
	})
	err = cmd.Wait()
	var ee *exec.ExitError
	switch {
	case err == nil:
		ex.Status = 0
	case errors.As(err, &ee) && ee.ExitCode() >= 0:
		ex.Status = ee.ExitCode()
	default:
		s.logf("%s %s: %v", s.bin, ex.Dir, err)
		ex.Status = 255
	}
	return ex
}

// uploadPackPath returns the repository path of a git-upload-pack command
// line as git's ssh transport sends it, the path quoted for a shell, or
// unquoted:
//
//	git-upload-pack '/path'
//	git-upload-pack /path
//	git upload-pack '/path'
//	git-upload-pack '/it'\''s'\!''   (the path it's!)
func uploadPackPath(command string) (string, error) {
	name, arg, ok := strings.Cut(strings.TrimSpace(command), " ")
	if name == "git" { // "git upload-pack '/path'"
		name, arg, ok = strings.Cut(strings.TrimSpace(arg), " ")
		name = "git-" + name
	}
	if name != "git-upload-pack" {
		return "", fmt.Errorf("only git-upload-pack is served, not %q", command)
	}
	arg = strings.TrimSpace(arg)
	if !ok || arg == "" {
		return "", errors.New("git-upload-pack: no repository path")
	}
	if !strings.HasPrefix(arg, "'") {
		if strings.ContainsAny(arg, " '\"\\") {
			return "", fmt.Errorf("git-upload-pack: bad path %s", arg)
		}
		return arg, nil
	}
	return sqDequote(arg)
}

// sqDequote undoes git's sq_quote_buf:
//
//	'a'\''b' is a'b
func sqDequote(s string) (string, error) {
	var b strings.Builder
	for {
		if !strings.HasPrefix(s, "'") {
			return "", fmt.Errorf("git-upload-pack: bad quoting in %s", s)
		}
		end := strings.IndexByte(s[1:], '\'')
		if end < 0 {
			return "", fmt.Errorf("git-upload-pack: unterminated quote in %s", s)
		}
		b.WriteString(s[1 : 1+end])
		s = s[2+end:]
		switch {
		case s == "":
			return b.String(), nil
		case len(s) >= 2 && s[0] == '\\' && (s[1] == '\'' || s[1] == '!'):
			b.WriteByte(s[1])
			s = s[2:]
		default:
			return "", fmt.Errorf("git-upload-pack: more than one argument: %s", s)
		}
	}
}

// URL returns the ssh:// URL of the repository at rel, a slash-separated
// path relative to the served directory, with user git.
func (s *SSHServer) URL(rel string) string {
	return "ssh://git@" + s.Addr + "/" + strings.TrimPrefix(rel, "/")
}

// KnownHostsLine is the server's line for a known_hosts file:
// "[127.0.0.1]:PORT ssh-ed25519 AAAA...".
func (s *SSHServer) KnownHostsLine() string {
	return fmt.Sprintf("[127.0.0.1]:%d %s", s.Port, s.HostKey.AuthorizedKey())
}

// WriteKnownHosts writes a known_hosts file of lines in a new directory,
// and returns its path.
func WriteKnownHosts(t testing.TB, lines ...string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "known_hosts")
	if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// Conns returns how many TCP connections the server accepted.
func (s *SSHServer) Conns() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conns
}

// Auths returns the public-key authentication attempts so far, in order.
// A client may ask whether a key would do before signing with it: that
// shows as two attempts with the same key.
func (s *SSHServer) Auths() []SSHAuth {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]SSHAuth(nil), s.auths...)
}

// Execs returns the commands run so far, in order.
func (s *SSHServer) Execs() []SSHExec {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]SSHExec(nil), s.execs...)
}

// Reset forgets the connections, attempts and commands so far.
func (s *SSHServer) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.conns, s.auths, s.execs = 0, nil, nil
}
