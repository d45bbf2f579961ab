package gittest

import (
	"bytes"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Repo is a git repository in a temporary directory.
type Repo struct {
	t   testing.TB
	Dir string
}

// env keeps the user's and the system's git configuration out of tests.
var env = []string{
	"GIT_CONFIG_NOSYSTEM=1",
	"GIT_CONFIG_GLOBAL=" + os.DevNull,
	"GIT_AUTHOR_NAME=meshc test",
	"GIT_AUTHOR_EMAIL=test@meshc.invalid",
	"GIT_COMMITTER_NAME=meshc test",
	"GIT_COMMITTER_EMAIL=test@meshc.invalid",
	"GIT_TERMINAL_PROMPT=0",
}

// NeedGit skips the test when the git command is not installed.
func NeedGit(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
}

// New makes a repository with a work tree and a branch main, empty.
func New(t testing.TB) *Repo {
	t.Helper()
	NeedGit(t)
	r := &Repo{t: t, Dir: t.TempDir()}
	r.Git("init", "-q", "-b", "main")
	return r
}

// NewBare makes an empty bare repository, as a hosted remote is.
func NewBare(t testing.TB) *Repo {
	t.Helper()
	NeedGit(t)
	r := &Repo{t: t, Dir: t.TempDir()}
	r.Git("init", "-q", "--bare", "-b", "main")
	return r
}

// Git runs git in the repository and returns its output, trimmed; it
// fails the test if git fails.
func (r *Repo) Git(args ...string) string {
	r.t.Helper()
	return strings.TrimSpace(string(r.Run(nil, args...)))
}

// Run runs git in the repository with stdin as its input and returns its
// output as it is (for file contents); it fails the test if git fails.
func (r *Repo) Run(stdin []byte, args ...string) []byte {
	r.t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = r.Dir
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdin = bytes.NewReader(stdin)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		r.t.Fatalf("git %s in %s: %v\n%s", strings.Join(args, " "), r.Dir, err, stderr.Bytes())
	}
	return stdout.Bytes()
}

// Write writes files (slash-separated path relative to the repository
// -> contents), making directories as needed.
func (r *Repo) Write(files map[string]string) {
	r.t.Helper()
	for name, content := range files {
		p := filepath.Join(r.Dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			r.t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			r.t.Fatal(err)
		}
	}
}

// Symlink makes a symbolic link name -> target in the work tree.
func (r *Repo) Symlink(name, target string) {
	r.t.Helper()
	p := filepath.Join(r.Dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		r.t.Fatal(err)
	}
	if err := os.Symlink(target, p); err != nil {
		r.t.Fatal(err)
	}
}

// Commit writes files, commits every change of the work tree and returns
// the new commit's SHA.
func (r *Repo) Commit(msg string, files map[string]string) string {
	r.t.Helper()
	r.Write(files)
	r.Git("add", "-A")
	r.Git("commit", "-q", "--allow-empty", "-m", msg)
	return r.Head()
}

// Head returns the SHA of the commit checked out.
func (r *Repo) Head() string {
	r.t.Helper()
	return r.Git("rev-parse", "HEAD")
}

// Checkout switches to branch, making it at HEAD first if it is new.
func (r *Repo) Checkout(branch string) {
	r.t.Helper()
	if r.Git("branch", "--list", branch) == "" {
		r.Git("checkout", "-q", "-b", branch)
		return
	}
	r.Git("checkout", "-q", branch)
}

// Tag makes a lightweight tag at rev.
func (r *Repo) Tag(name, rev string) {
	r.t.Helper()
	r.Git("tag", name, rev)
}

// AnnotatedTag makes an annotated tag at rev.
func (r *Repo) AnnotatedTag(name, rev, msg string) {
	r.t.Helper()
	r.Git("tag", "-a", "-m", msg, name, rev)
}

// Reset moves the checked-out branch to rev, as before a force push: the
// commits after rev are no longer on it.
func (r *Repo) Reset(rev string) {
	r.t.Helper()
	r.Git("reset", "-q", "--hard", rev)
}

// DeleteRef deletes a branch or tag, named in full (refs/heads/dev).
func (r *Repo) DeleteRef(name string) {
	r.t.Helper()
	r.Git("update-ref", "-d", name)
}

// Push force-pushes refspecs (all branches and tags when none) to the
// repository to, as a developer publishes to the hosted remote.
func (r *Repo) Push(to *Repo, refspecs ...string) {
	r.t.Helper()
	args := []string{"push", "-q", "--force", to.Dir}
	if len(refspecs) == 0 {
		args = append(args, "refs/heads/*:refs/heads/*", "refs/tags/*:refs/tags/*")
	}
	r.Git(append(args, refspecs...)...)
}

// NewBareAt makes an empty bare repository at dir, e.g. below the
// directory a Daemon serves.
func NewBareAt(t testing.TB, dir string) *Repo {
	t.Helper()
	NeedGit(t)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	r := &Repo{t: t, Dir: dir}
	r.Git("init", "-q", "--bare", "-b", "main")
	return r
}

// URL returns the repository's file:// URL.
func (r *Repo) URL() string {
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(r.Dir)}).String()
}
