//go:build unix

package gittest

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// NeedDaemon skips the test when git daemon is not installed (Debian's git
// package ships it; some minimal builds do not), and returns its binary.
func NeedDaemon(t testing.TB) string {
	t.Helper()
	NeedGit(t)
	out, err := exec.Command("git", "--exec-path").Output()
	if err != nil {
		t.Skipf("git --exec-path: %v", err)
	}
	bin := filepath.Join(strings.TrimSpace(string(out)), "git-daemon")
	if _, err := os.Stat(bin); err != nil {
		t.Skipf("git daemon is not installed (no %s): install a git package that ships it", bin)
	}
	return bin
}

// Daemon serves every repository below a directory over git://, on a
// loopback port, until the test ends.
type Daemon struct {
	// URL is git://127.0.0.1:PORT; a repository's URL is URL + "/" + its
	// path relative to the served directory.
	URL string
}

// RepoURL returns r's git:// URL; r must lie below the served directory.
func (d *Daemon) RepoURL(t testing.TB, base string, r *Repo) string {
	t.Helper()
	rel, err := filepath.Rel(base, r.Dir)
	if err != nil || strings.HasPrefix(rel, "..") {
		t.Fatalf("%s is not below %s", r.Dir, base)
	}
	return d.URL + "/" + filepath.ToSlash(rel)
}

// StartDaemon runs git daemon on a free loopback port, serving every
// repository below base for fetching, and stops it when the test ends.
func StartDaemon(t testing.TB, base string) *Daemon {
	t.Helper()
	return startDaemon(t, base)
}

// StartWritableDaemon is StartDaemon that also accepts pushes (git
// daemon's receive-pack service), as a hosted remote does.
func StartWritableDaemon(t testing.TB, base string) *Daemon {
	t.Helper()
	return startDaemon(t, base, "--enable=receive-pack")
}

func startDaemon(t testing.TB, base string, extra ...string) *Daemon {
	t.Helper()
	bin := NeedDaemon(t)
	port := FreePort(t)
	var stderr bytes.Buffer
	// The daemon binary itself, not "git daemon": killing git would leave
	// its git-daemon child running.
	args := append([]string{"--reuseaddr", "--base-path=" + base, "--export-all",
		"--port=" + strconv.Itoa(port), "--listen=127.0.0.1"}, extra...)
	cmd := exec.Command(bin, append(args, base)...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = &stderr
	// Its own process group, so that the children serving connections
	// stop with it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting git daemon: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-exited
	})
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			break
		}
		select {
		case err := <-exited:
			exited <- err
			t.Fatalf("git daemon exited: %v\n%s", err, stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("git daemon did not accept connections on %s within 10s", addr)
		}
	}
	return &Daemon{URL: "git://" + addr}
}

// FreePort returns a loopback TCP port that nothing listens on now.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// ClosedURL returns a git:// URL on a loopback port where nothing listens,
// for an unreachable server.
func ClosedURL(t testing.TB) string {
	t.Helper()
	return fmt.Sprintf("git://127.0.0.1:%d/x", FreePort(t))
}
