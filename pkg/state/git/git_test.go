package git

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/meshc-dev/meshc/internal/gittest"
	"github.com/meshc-dev/meshc/pkg/catalog"
	"github.com/meshc-dev/meshc/pkg/state"
	"github.com/meshc-dev/meshc/pkg/state/statetest"
)

// applied is a catalog at serial, as an apply by user leaves it.
func applied(user string, serial int64, lineage string) *state.Catalog {
	c := statetest.Sample()
	c.Serial, c.Lineage = serial, lineage
	c.History = append(c.History, state.Entry{
		Serial: serial,
		Time:   time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
		User:   user,
		Sources: map[string]catalog.Source{
			"sales":   {Git: "https://github.com/acme/sales", Ref: "main", Commit: "abc123456789abc123456789abc123456789abcd"},
			"finance": {Path: "domains/finance", Digest: "sha256:0011223344556677"},
		},
		Summary: state.Summary{Create: 2, Update: 1},
	})
	return c
}

func encode(t *testing.T, c *state.Catalog) []byte {
	t.Helper()
	data, err := state.Encode(c)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestFirstWriteCreatesOrphanBranch(t *testing.T) {
	r := fileRemote(t)
	// The platform repository has its own history on main.
	work := gittest.New(t)
	work.Commit("platform", map[string]string{"mesh.cue": "package mesh\n", "README.md": "hi\n"})
	work.Push(r.Repo)

	st := state.NewStore(r.open(t, t.TempDir()))
	l, err := st.Lock(t.Context(), "alice")
	if err != nil {
		t.Fatal(err)
	}
	c := statetest.Sample()
	if err := l.Write(t.Context(), c, 0); err != nil {
		t.Fatal(err)
	}
	if err := l.Unlock(); err != nil {
		t.Fatal(err)
	}

	if n := r.Git("rev-list", "--count", "refs/heads/"+DefaultBranch); n != "1" {
		t.Errorf("branch %s has %s commits; want 1", DefaultBranch, n)
	}
	if parents := r.Git("log", "-1", "--format=%P", "refs/heads/"+DefaultBranch); parents != "" {
		t.Errorf("first commit has parents %s; want an orphan", parents)
	}
	if files := r.Git("ls-tree", "-r", "--name-only", "refs/heads/"+DefaultBranch); files != "catalog.index.json\n"+DefaultPath {
		t.Errorf("branch holds %q; want only %s and its index", files, DefaultPath)
	}
	if got, want := r.raw(DefaultBranch, DefaultPath), encode(t, c); !bytes.Equal(got, want) {
		t.Errorf("git show %s:%s =\n%s\nwant state.Encode's\n%s", DefaultBranch, DefaultPath, got, want)
	}
	if main := r.Git("ls-tree", "--name-only", "refs/heads/main"); main != "README.md\nmesh.cue" {
		t.Errorf("main changed: %q", main)
	}
	if lock := r.Git("for-each-ref", "refs/meshc/"); lock != "" {
		t.Errorf("lock ref left after Unlock: %s", lock)
	}
}

func TestNestedPathKeepsOtherFiles(t *testing.T) {
	r := fileRemote(t)
	r.plant("live", "README.md", []byte("The live catalog.\n"))
	b, err := New(Options{Repo: r.URL, Branch: "live", Path: "state/prod/catalog.json"})
	if err != nil {
		t.Fatal(err)
	}
	st := state.NewStore(b)
	l, err := st.Lock(t.Context(), "alice")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Unlock()
	c := statetest.Sample()
	if err := l.Write(t.Context(), c, 0); err != nil {
		t.Fatal(err)
	}
	if files := r.Git("ls-tree", "-r", "--name-only", "refs/heads/live"); files != "README.md\nstate/prod/catalog.index.json\nstate/prod/catalog.json" {
		t.Errorf("branch holds %q; want the README kept and the catalog and its index added", files)
	}
	if err := l.Write(t.Context(), c, 1); err != nil {
		t.Fatal(err)
	}
	if got := r.raw("live", "state/prod/catalog.json"); !bytes.Equal(got, encode(t, c)) {
		t.Errorf("catalog not rewritten in place:\n%s", got)
	}
	if r.Git("fsck", "--strict") != "" {
		t.Errorf("git fsck complains")
	}
}

func TestCommitMessageNamesDomainsCommitsAndActor(t *testing.T) {
	r := fileRemote(t)
	st := state.NewStore(r.open(t, ""))
	l, err := st.Lock(t.Context(), "alice@ci (meshc apply)")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Unlock()
	c := applied("alice\nEvil: injected", 1, "")
	c.Serial = 0
	if err := l.Write(t.Context(), c, 0); err != nil {
		t.Fatal(err)
	}
	subject := r.Git("log", "-1", "--format=%s", "refs/heads/"+DefaultBranch)
	want := "meshc apply finance, sales@abc123456789 by alice Evil: injected (serial 1)"
	if subject != want {
		t.Errorf("subject = %q; want %q", subject, want)
	}
	body := r.Git("log", "-1", "--format=%b", "refs/heads/"+DefaultBranch)
	for _, s := range []string{
		"Applied by alice Evil: injected at 2026-03-01T12:00:00Z: 2 created, 1 updated, 0 deleted, 0 breaking.",
		"domain sales commit abc123456789abc123456789abc123456789abcd (https://github.com/acme/sales ref main)",
		"domain finance digest sha256:0011223344556677 (path domains/finance)",
	} {
		if !strings.Contains(body, s) {
			t.Errorf("body does not contain %q:\n%s", s, body)
		}
	}
	if author := r.Git("log", "-1", "--format=%an <%ae>", "refs/heads/"+DefaultBranch); author != "alice Evil: injected <"+committerEmail+">" {
		t.Errorf("author = %q; want the actor on one line", author)
	}
}

func TestMessageWithoutEntry(t *testing.T) {
	c := statetest.Sample()
	c.Serial = 4
	if got := message(c); got != "meshc: write the live catalog at serial 4\n" {
		t.Errorf("message = %q", got)
	}
	c = applied("bob", 4, "x")
	for i := range 5 {
		c.History[0].Sources[fmt.Sprintf("d%d", i)] = catalog.Source{Commit: fmt.Sprintf("%d%039d", i, 0)}
	}
	subject, _, _ := strings.Cut(message(c), "\n")
	if want := "meshc apply d0@000000000000, d1@100000000000, d2@200000000000 and 4 more by bob (serial 4)"; subject != want {
		t.Errorf("subject = %q; want %q", subject, want)
	}
}

// TestRejectedPushIsStale: another writer pushes between the session's
// read and its push; the push is refused, the error is a StaleError with
// the serials, and the branch stays as the other writer left it.
func TestRejectedPushIsStale(t *testing.T) {
	for _, tt := range []struct {
		name   string
		remote func(testing.TB) remote
	}{{"file", fileRemote}, {"daemon", daemonRemote}} {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.remote(t)
			st := state.NewStore(r.open(t, t.TempDir()))
			first := applied("alice", 1, "")
			first.Serial = 0
			l, err := st.Lock(t.Context(), "alice")
			if err != nil {
				t.Fatal(err)
			}
			if err := l.Write(t.Context(), first, 0); err != nil {
				t.Fatal(err)
			}
			l.Unlock()

			b := r.open(t, t.TempDir())
			sess, err := b.Lock(t.Context(), "bob")
			if err != nil {
				t.Fatal(err)
			}
			defer sess.Unlock()
			prev, err := sess.Read(t.Context())
			if err != nil || prev.Serial != 1 {
				t.Fatalf("Read = %+v, %v", prev, err)
			}
			// Carol pushes serial 2 without meshc's lock.
			carol := encode(t, applied("carol", 2, first.Lineage))
			pushed := r.plant(DefaultBranch, DefaultPath, carol)

			next := applied("bob", 2, first.Lineage)
			err = sess.Replace(t.Context(), prev, next)
			stale, ok := errors.AsType[*state.StaleError](err)
			if !ok || stale.Live != 2 || stale.Expected != 1 || stale.LiveLineage != first.Lineage || stale.ExpectedLineage != first.Lineage {
				t.Fatalf("Replace after another push: err = %#v; want *StaleError{Live: 2, Expected: 1}", err)
			}
			if tip := r.tip(DefaultBranch); tip != pushed {
				t.Errorf("branch at %s; want carol's %s", tip, pushed)
			}
			if got := r.raw(DefaultBranch, DefaultPath); !bytes.Equal(got, carol) {
				t.Errorf("catalog changed from carol's")
			}

			// Planning again from what is there now succeeds.
			again, err := sess.Read(t.Context())
			if err != nil || again.Serial != 2 {
				t.Fatalf("Read = %+v, %v", again, err)
			}
			if err := sess.Replace(t.Context(), again, applied("bob", 3, first.Lineage)); err != nil {
				t.Fatalf("Replace on the new tip: %v", err)
			}
			if parent := r.Git("log", "-1", "--format=%P", "refs/heads/"+DefaultBranch); parent != pushed {
				t.Errorf("new commit's parent is %s; want carol's %s", parent, pushed)
			}
		})
	}
}

// TestPushOverUnrelatedCommit: a commit that changed other files of the
// branch (a README; the index, too) but not the catalog is no conflict:
// the write goes on top of it, keeps its files and commits its own index.
func TestPushOverUnrelatedCommit(t *testing.T) {
	for name, files := range map[string]map[string]string{
		"a README":          {"README.md": "Do not edit by hand.\n"},
		"the index as well": {"catalog.index.json": "stale\n", "README.md": "hi\n"},
	} {
		t.Run(name, func(t *testing.T) {
			r := fileRemote(t)
			b := r.open(t, t.TempDir())
			sess, err := b.Lock(t.Context(), "alice")
			if err != nil {
				t.Fatal(err)
			}
			defer sess.Unlock()
			first := applied("alice", 1, "0123456789abcdef0123456789abcdef")
			if err := sess.Replace(t.Context(), nil, first); err != nil {
				t.Fatal(err)
			}
			prev, err := sess.Read(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			theirs := edit(t, r, DefaultBranch, files, nil, nil)
			if err := sess.Replace(t.Context(), prev, applied("alice", 2, first.Lineage)); err != nil {
				t.Fatalf("Replace over an unrelated commit: %v", err)
			}
			if parent := r.Git("log", "-1", "--format=%P", "refs/heads/"+DefaultBranch); parent != theirs {
				t.Errorf("new commit's parent is %s; want theirs %s", parent, theirs)
			}
			if files := r.Git("ls-tree", "--name-only", "refs/heads/"+DefaultBranch); files != "README.md\ncatalog.index.json\ncatalog.json" {
				t.Errorf("branch holds %q; want the README kept", files)
			}
			checkIndexed(t, r, DefaultBranch, DefaultPath)
			if _, _, ok, err := b.ReadPart(t.Context(), chooseD03); !ok || err != nil {
				t.Errorf("ReadPart = ok %v, %v; want its index read", ok, err)
			}
		})
	}
}

func TestLockLeftByCrashNamesHolderAndAge(t *testing.T) {
	r := fileRemote(t)
	since := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	info := fmt.Sprintf(`{"who":"carol@ci (meshc apply)","pid":4242,"host":"runner-7","time":%q,"id":"x"}`, since.Format(time.RFC3339))
	blob := strings.TrimSpace(string(r.Run([]byte(info), "hash-object", "-w", "--stdin")))
	tree := strings.TrimSpace(string(r.Run([]byte("100644 blob "+blob+"\tlock.json\n"), "mktree")))
	commit := r.Git("commit-tree", tree, "-m", "meshc lock")
	r.Git("update-ref", "refs/meshc/lock/"+DefaultBranch, commit)

	b, err := New(Options{Repo: r.URL, Now: func() time.Time { return since.Add(2*time.Hour + 30*time.Second) }})
	if err != nil {
		t.Fatal(err)
	}
	_, err = state.NewStore(b).Lock(t.Context(), "dave")
	locked, ok := errors.AsType[*state.LockedError](err)
	if !ok {
		t.Fatalf("Lock: err = %v; want *LockedError", err)
	}
	if locked.Who != "carol@ci (meshc apply)" || locked.PID != 4242 || locked.Host != "runner-7" || !locked.Time.Equal(since) {
		t.Errorf("LockedError = %+v; want carol's lock", locked)
	}
	want := "the live catalog is locked (lock ref refs/meshc/lock/meshc-catalog in " + r.URL + ") by carol@ci (meshc apply) (pid 4242 on runner-7 since 2026-01-02T03:04:05Z); " +
		"it was taken 2h0m30s ago; if no apply is running, delete it: git push " + r.URL + " :refs/meshc/lock/meshc-catalog"
	if err.Error() != want {
		t.Errorf("message =\n%s\nwant\n%s", err, want)
	}
	if got := r.Git("rev-parse", "refs/meshc/lock/"+DefaultBranch); got != commit {
		t.Errorf("the lock was broken: now %s", got)
	}

	// A lock ref without a readable holder is still a lock.
	r.Git("update-ref", "refs/meshc/lock/"+DefaultBranch, r.Git("commit-tree", r.Git("mktree"), "-m", "junk"))
	_, err = state.NewStore(b).Lock(t.Context(), "dave")
	if _, ok := errors.AsType[*state.LockedError](err); !ok || !strings.Contains(err.Error(), "unknown holder") {
		t.Errorf("Lock over an unreadable lock: err = %v; want *LockedError by an unknown holder", err)
	}
}

func TestBrokenLockIsLeftAlone(t *testing.T) {
	r := fileRemote(t)
	st := state.NewStore(r.open(t, t.TempDir()))
	alice, err := st.Lock(t.Context(), "alice")
	if err != nil {
		t.Fatal(err)
	}
	// Someone deletes alice's lock by hand and bob takes it.
	r.Git("update-ref", "-d", "refs/meshc/lock/"+DefaultBranch)
	bob, err := state.NewStore(r.open(t, t.TempDir())).Lock(t.Context(), "bob")
	if err != nil {
		t.Fatal(err)
	}
	bobs := r.Git("rev-parse", "refs/meshc/lock/"+DefaultBranch)

	err = alice.Write(t.Context(), statetest.Sample(), 0)
	if err == nil || !strings.Contains(err.Error(), "is now bob's") {
		t.Errorf("Write under a broken lock: err = %v; want it to say bob has the lock", err)
	}
	if tip := r.tip(DefaultBranch); tip != "" {
		t.Errorf("Write under a broken lock pushed %s", tip)
	}
	if err := alice.Unlock(); err == nil {
		t.Errorf("Unlock of a broken lock reported no error")
	}
	if got := r.Git("rev-parse", "refs/meshc/lock/"+DefaultBranch); got != bobs {
		t.Errorf("alice's Unlock changed bob's lock")
	}
	if err := bob.Unlock(); err != nil {
		t.Fatal(err)
	}
}

func TestCorruptEntry(t *testing.T) {
	r := fileRemote(t)
	r.plant(DefaultBranch, DefaultPath+"/inside", []byte("{}"))
	_, err := state.NewStore(r.open(t, "")).Read(t.Context())
	ce, ok := errors.AsType[*state.CorruptError](err)
	if !ok || ce.Path != r.URL+"#meshc-catalog:catalog.json" || !strings.Contains(err.Error(), "it is a directory, not a file") ||
		!strings.Contains(err.Error(), "commit a fixed or restored catalog.json to branch meshc-catalog") {
		t.Errorf("Read of a directory: err = %v; want *CorruptError naming where and what to do", err)
	}
}

// TestHungRemote: a server that accepts connections and never answers
// makes each operation fail after the timeout, not hang.
func TestHungRemote(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			defer c.Close() // held open, silent, until the test ends
		}
	}()
	b, err := New(Options{Repo: "git://" + l.Addr().String() + "/platform.git", Timeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	st := state.NewStore(b)
	_, err = st.Read(t.Context())
	if !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "did not answer within 200ms") {
		t.Errorf("Read from a hung remote: err = %v; want a timeout", err)
	}
	_, err = st.Lock(t.Context(), "alice")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Lock on a hung remote: err = %v; want a timeout", err)
	}
}
