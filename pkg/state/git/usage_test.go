package git

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/meshc-dev/meshc/pkg/state"
)

func usageEvent(id, consumer string) state.UsageEvent {
	sum := sha256.Sum256([]byte(id))
	return state.UsageEvent{Key: state.UsageKey(sum[:12]), Time: time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC),
		Reads: []state.UsageRead{{Product: "sales.orders", Port: "events", Consumer: consumer}}}
}

// TestUsageBesideCatalog: a usage commit changes only the usage file, the
// catalog's bytes stay as they were; a catalog write keeps the usage file,
// even one pushed between the apply's read and its write.
func TestUsageBesideCatalog(t *testing.T) {
	ctx := t.Context()
	r := fileRemote(t)
	st := state.NewStore(r.open(t, t.TempDir()))
	l, err := st.Lock(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Write(ctx, applied("alice", 1, "L"), 0); err != nil {
		t.Fatal(err)
	}
	if err := l.Unlock(); err != nil {
		t.Fatal(err)
	}
	catalog := r.raw(DefaultBranch, DefaultPath)
	usagePath := DefaultPath + ".usage.json"

	ingest := r.open(t, t.TempDir())
	if n, err := ingest.AddUsage(ctx, []state.UsageEvent{usageEvent("a", "finance.revenue")}, ""); err != nil || n != 1 {
		t.Fatalf("AddUsage = %d, %v; want 1 new", n, err)
	}
	if got := r.raw(DefaultBranch, DefaultPath); !bytes.Equal(got, catalog) {
		t.Errorf("a usage commit changed the catalog:\n%s\nwas\n%s", got, catalog)
	}
	if changed := r.Git("diff-tree", "--no-commit-id", "--name-only", "-r", "refs/heads/"+DefaultBranch); changed != usagePath {
		t.Errorf("the usage commit changed %q; want only %s", changed, usagePath)
	}
	if subject := r.Git("log", "-1", "--format=%s", "refs/heads/"+DefaultBranch); subject != "meshc usage: 1 events" {
		t.Errorf("usage commit subject %q", subject)
	}
	usage := r.raw(DefaultBranch, usagePath)
	if !strings.Contains(string(usage), `"finance.revenue"`) {
		t.Fatalf("usage file = %s", usage)
	}

	// The same events again change nothing: no commit.
	tip := r.tip(DefaultBranch)
	if n, err := ingest.AddUsage(ctx, []state.UsageEvent{usageEvent("a", "finance.revenue")}, ""); err != nil || n != 0 {
		t.Fatalf("AddUsage again = %d, %v; want 0 new", n, err)
	}
	if r.tip(DefaultBranch) != tip {
		t.Errorf("an ingest of nothing new committed")
	}

	// An apply reads, an ingest pushes, the apply writes: on top of it.
	l, err = st.Lock(ctx, "bob")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.Read(ctx); err != nil {
		t.Fatal(err)
	}
	if n, err := ingest.AddUsage(ctx, []state.UsageEvent{usageEvent("b", "job:airflow/x")}, ""); err != nil || n != 1 {
		t.Fatalf("AddUsage during the apply = %d, %v; want 1 new", n, err)
	}
	usage = r.raw(DefaultBranch, usagePath)
	next := applied("bob", 2, "L")
	if err := l.Write(ctx, next, 1); err != nil {
		t.Fatalf("catalog write after a usage commit: %v", err)
	}
	if err := l.Unlock(); err != nil {
		t.Fatal(err)
	}
	if got := r.raw(DefaultBranch, usagePath); !bytes.Equal(got, usage) {
		t.Errorf("the catalog write changed the usage file:\n%s\nwas\n%s", got, usage)
	}
	if got := r.raw(DefaultBranch, DefaultPath); bytes.Equal(got, catalog) {
		t.Errorf("the catalog write did not land")
	}
	got, err := r.open(t, "").ReadUsage(ctx, "")
	if err != nil || len(got) != 2 {
		t.Errorf("ReadUsage after the apply = %+v, %v; want 2 aggregates", got, err)
	}
}

// TestUsagePushRejected: another ingest pushes between this one's fetch
// and its push (from this one's clock, read while it commits); the push is
// refused, and this ingest merges onto theirs and pushes again: both count.
func TestUsagePushRejected(t *testing.T) {
	ctx := t.Context()
	r := daemonRemote(t)
	other := r.open(t, t.TempDir())
	cuts := 0
	b, err := New(Options{Repo: r.URL, CacheDir: t.TempDir(), Getenv: func(string) string { return "" }, Now: func() time.Time {
		if cuts < 2 { // twice: the second retry is the one that lands
			cuts++
			if _, err := other.AddUsage(ctx, []state.UsageEvent{usageEvent(fmt.Sprint("other", cuts), fmt.Sprint("other", cuts))}, ""); err != nil {
				t.Errorf("the other ingest: %v", err)
			}
		}
		return time.Now()
	}})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := b.AddUsage(ctx, []state.UsageEvent{usageEvent("mine", "mine")}, ""); err != nil || n != 1 {
		t.Fatalf("AddUsage = %d, %v; want 1 new", n, err)
	}
	if cuts != 2 {
		t.Fatalf("the other ingest cut in %d times; want 2", cuts)
	}
	got, err := r.open(t, "").ReadUsage(ctx, "")
	if err != nil || len(got) != 3 {
		t.Errorf("ReadUsage = %+v, %v; want 3 aggregates", got, err)
	}
	if n := r.Git("rev-list", "--count", "refs/heads/"+DefaultBranch); n != "3" {
		t.Errorf("branch has %s commits; want 3, one an ingest", n)
	}
}

// TestUsageUnusable: a usage file meshc cannot read is an error naming it
// and what to do, and is not overwritten.
func TestUsageUnusable(t *testing.T) {
	r := fileRemote(t)
	r.plant(DefaultBranch, DefaultPath+".usage.json", []byte("not json\n"))
	b := r.open(t, "")
	_, err := b.AddUsage(t.Context(), []state.UsageEvent{usageEvent("a", "x")}, "")
	if err == nil || !strings.Contains(err.Error(), "catalog.json.usage.json is not meshc's usage document") || !strings.Contains(err.Error(), "delete it there") {
		t.Errorf("AddUsage on a bad file: %v", err)
	}
	if _, err := b.ReadUsage(t.Context(), ""); err == nil {
		t.Error("ReadUsage of a bad file: no error")
	}
	if got := r.raw(DefaultBranch, DefaultPath+".usage.json"); string(got) != "not json\n" {
		t.Errorf("the bad file was overwritten: %q", got)
	}
}
