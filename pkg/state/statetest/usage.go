package statetest

import (
	"context"
	"crypto/sha256"
	"testing"
	"time"

	"github.com/meshc-dev/meshc/pkg/state"
)

// RunUsage runs the conformance suite of state.UsageStore: newStore
// returns an empty store of its own each call.
func RunUsage(t *testing.T, newStore func(t *testing.T) state.UsageStore) {
	ctx := context.Background()
	day := time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)
	ev := func(id string, at time.Time, failed bool, consumer string) state.UsageEvent {
		sum := sha256.Sum256([]byte(id))
		return state.UsageEvent{Key: state.UsageKey(sum[:12]), Time: at, Failed: failed,
			Reads: []state.UsageRead{{Product: "sales.orders", Port: "events", Consumer: consumer}}}
	}
	t.Run("empty", func(t *testing.T) {
		got, err := newStore(t).ReadUsage(ctx, "")
		if err != nil || len(got) != 0 {
			t.Fatalf("ReadUsage of a new store = %v, %v; want none", got, err)
		}
	})
	t.Run("aggregates-and-idempotence", func(t *testing.T) {
		s := newStore(t)
		batch := []state.UsageEvent{
			ev("a", day, false, "finance.revenue"),
			ev("b", day.Add(time.Hour), true, "finance.revenue"),
			ev("b", day.Add(time.Hour), true, "finance.revenue"), // the same event in one batch
			ev("c", day.Add(24*time.Hour), false, "job:airflow/adhoc"),
		}
		for i, want := range []int{3, 0} {
			n, err := s.AddUsage(ctx, batch, "")
			if err != nil || n != want {
				t.Fatalf("AddUsage #%d = %d, %v; want %d new", i+1, n, err, want)
			}
		}
		got, err := s.ReadUsage(ctx, "")
		if err != nil {
			t.Fatal(err)
		}
		want := []state.UsageAggregate{
			{UsageRead: state.UsageRead{Product: "sales.orders", Port: "events", Consumer: "finance.revenue"}, Day: "2026-11-30", Runs: 2, Failed: 1, LastSeen: day.Add(time.Hour)},
			{UsageRead: state.UsageRead{Product: "sales.orders", Port: "events", Consumer: "job:airflow/adhoc"}, Day: "2026-12-01", Runs: 1, LastSeen: day.Add(24 * time.Hour)},
		}
		if len(got) != len(want) {
			t.Fatalf("ReadUsage = %+v, want %+v", got, want)
		}
		for i := range want {
			if got[i].UsageRead != want[i].UsageRead || got[i].Day != want[i].Day || got[i].Runs != want[i].Runs || got[i].Failed != want[i].Failed || !got[i].LastSeen.Equal(want[i].LastSeen) {
				t.Errorf("aggregate %d = %+v, want %+v", i, got[i], want[i])
			}
		}
		since, err := s.ReadUsage(ctx, "2026-12-01")
		if err != nil || len(since) != 1 || since[0].Day != "2026-12-01" {
			t.Errorf("ReadUsage since 2026-12-01 = %+v, %v", since, err)
		}
	})
	t.Run("retention", func(t *testing.T) {
		s := newStore(t)
		if _, err := s.AddUsage(ctx, []state.UsageEvent{ev("old", day.AddDate(0, 0, -10), false, "x.y"), ev("new", day, false, "x.y")}, ""); err != nil {
			t.Fatal(err)
		}
		// A later ingest with a retention drops the old day and its keys:
		// the old event is then new again, but falls before the retention.
		n, err := s.AddUsage(ctx, []state.UsageEvent{ev("old", day.AddDate(0, 0, -10), false, "x.y")}, "2026-11-25")
		if err != nil || n != 0 {
			t.Fatalf("AddUsage of an event before the retention = %d, %v; want 0", n, err)
		}
		got, err := s.ReadUsage(ctx, "")
		if err != nil || len(got) != 1 || got[0].Day != "2026-11-30" {
			t.Errorf("after retention, ReadUsage = %+v, %v; want only 2026-11-30", got, err)
		}
	})
}
