package source_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshc-dev/meshc/internal/gittest"
	"github.com/meshc-dev/meshc/pkg/source"
)

// damage breaks a cached clone as a crash, a full disk or a truncated
// cache restore would.
var damage = map[string]func(t *testing.T, clone string){
	"truncated pack": func(t *testing.T, clone string) {
		for _, p := range packs(t, clone) {
			fi, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.Truncate(p, fi.Size()/2); err != nil {
				t.Fatal(err)
			}
		}
	},
	"missing objects": func(t *testing.T, clone string) {
		if err := os.RemoveAll(filepath.Join(clone, "objects")); err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Join(clone, "objects", "pack"), 0o755); err != nil {
			t.Fatal(err)
		}
	},
	"corrupt HEAD": func(t *testing.T, clone string) {
		write(t, filepath.Join(clone, "HEAD"), "\x00garbage")
	},
	"missing HEAD": func(t *testing.T, clone string) {
		if err := os.Remove(filepath.Join(clone, "HEAD")); err != nil {
			t.Fatal(err)
		}
	},
	"corrupt ref": func(t *testing.T, clone string) {
		write(t, filepath.Join(clone, "refs", "remotes", "origin", "main"), "not a hash\n")
		os.Remove(filepath.Join(clone, "packed-refs"))
	},
}

func packs(t *testing.T, clone string) []string {
	t.Helper()
	ps, _ := filepath.Glob(filepath.Join(clone, "objects", "pack", "*.pack"))
	if len(ps) == 0 {
		t.Fatalf("no pack in %s", clone)
	}
	return ps
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// A cached clone that cannot be read is moved aside and cloned again,
// once, saying so; the copy moved aside is removed.
func TestGitHealsUnreadableClone(t *testing.T) {
	for name, breakIt := range damage {
		t.Run(name, func(t *testing.T) {
			r := gittest.New(t)
			sha := r.Commit("v1", version(1))
			g, l := fetcher(t)
			ev := &events{}
			g.Notify = ev.notify
			mustFetch(t, g, domain(r.URL(), "main", "mesh"))
			clone := g.RepoDir(r.URL())
			breakIt(t, clone)
			source.ForgetRepos() // as the next meshc run

			d := mustFetch(t, g, domain(r.URL(), "main", "mesh"))
			if d.Source.Commit != sha || read(t, d, "orders.cue") != version(1)["mesh/orders.cue"] {
				t.Errorf("after healing: commit %s, files %q", d.Source.Commit, read(t, d, "orders.cue"))
			}
			got := ev.all()
			if len(got) != 1 || got[0].Kind != source.EventRecloned || got[0].URL != r.URL() || got[0].Domain != "orders" {
				t.Fatalf("events %+v; want one re-clone of %s", got, r.URL())
			}
			msg := got[0].String()
			if !strings.HasPrefix(msg, "the cached clone of "+r.URL()+" was unreadable (") || !strings.HasSuffix(msg, "); cloned it again") {
				t.Errorf("notice %q", msg)
			}
			t.Logf("notice: %s", msg)
			if n := l.count("git: cloning"); n != 2 {
				t.Errorf("%d clones; want 2:\n%s", n, l)
			}
			entries, _ := os.ReadDir(g.CacheDir)
			if len(entries) != 1 {
				t.Errorf("cache holds %v; want the new clone only", entries)
			}

			// Healed: the next run neither clones nor tells anything.
			source.ForgetRepos()
			l.reset()
			mustFetch(t, g, domain(r.URL(), "main", "mesh"))
			if len(ev.all()) != 1 || l.count("git: cloning") != 0 {
				t.Errorf("second run after healing: events %+v, logs:\n%s", ev.all(), l)
			}
		})
	}
}

// A commit pinned by SHA is read from the cache without the network: a
// damaged one is cloned again too.
func TestGitHealsPinnedCommit(t *testing.T) {
	r := gittest.New(t)
	sha := r.Commit("v1", version(1))
	g, _ := fetcher(t)
	ev := &events{}
	g.Notify = ev.notify
	mustFetch(t, g, domain(r.URL(), sha, "mesh"))
	damage["truncated pack"](t, g.RepoDir(r.URL()))
	source.ForgetRepos()
	if d := mustFetch(t, g, domain(r.URL(), sha, "mesh")); d.Source.Commit != sha {
		t.Errorf("commit %s; want %s", d.Source.Commit, sha)
	}
	if got := ev.all(); len(got) != 1 || got[0].Kind != source.EventRecloned {
		t.Errorf("events %+v; want one re-clone", got)
	}
}

// When cloning again fails too, that is the error, with what happened to
// the cache; nothing is left aside.
func TestGitHealFails(t *testing.T) {
	r := gittest.New(t)
	r.Commit("v1", version(1))
	g, _ := fetcher(t)
	ev := &events{}
	g.Notify = ev.notify
	mustFetch(t, g, domain(r.URL(), "main", "mesh"))
	damage["truncated pack"](t, g.RepoDir(r.URL()))
	if err := os.RemoveAll(r.Dir); err != nil {
		t.Fatal(err)
	}
	source.ForgetRepos()
	_, err := g.Fetch(context.Background(), domain(r.URL(), "main", "mesh"))
	wantErr(t, err, r.URL(), "ref main", "not found", "the cached clone was unreadable, ", "cut short", "cloning it again failed")
	if got := ev.all(); len(got) != 0 {
		t.Errorf("events %+v; want none", got)
	}
	entries, _ := os.ReadDir(g.CacheDir)
	if len(entries) != 1 {
		t.Errorf("cache holds %v; want the new clone only", entries)
	}
}
