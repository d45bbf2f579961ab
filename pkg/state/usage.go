package state

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"time"
)

// UsageStore is the optional capability of a backend that also keeps
// observed usage next to the live catalog: daily aggregates of who read
// which port (never query text), and the keys of the events counted, so
// that an event ingested twice counts once. Usage is not part of the
// catalog document: it has no serial, and writing it never moves the
// catalog.
type UsageStore interface {
	// AddUsage counts the events whose key it has not counted yet and
	// drops aggregates and keys of days before keepFrom (YYYY-MM-DD; ""
	// keeps everything). It returns how many events were new.
	AddUsage(ctx context.Context, events []UsageEvent, keepFrom string) (int, error)
	// ReadUsage returns the aggregates of days from since (YYYY-MM-DD; ""
	// for all), sorted by product, port, consumer and day.
	ReadUsage(ctx context.Context, since string) ([]UsageAggregate, error)
}

// UsageEvent is one observed run event, resolved: when it happened,
// whether the run failed, and the ports it read for whom.
type UsageEvent struct {
	// Key identifies the event for idempotent ingestion: a digest of its
	// run id, event type and event time.
	Key    string
	Time   time.Time // UTC
	Failed bool
	Reads  []UsageRead
}

// Day is the event's UTC day, YYYY-MM-DD.
func (e UsageEvent) Day() string { return e.Time.UTC().Format(time.DateOnly) }

// UsageRead is one port read by one consumer.
type UsageRead struct {
	Product  string `json:"product"`
	Port     string `json:"port"`
	Consumer string `json:"consumer"` // a product id, or "job:NAMESPACE/NAME" for a job no product claims
}

// UsageAggregate is one port's use by one consumer on one day.
type UsageAggregate struct {
	UsageRead
	Day      string    `json:"day"`
	Runs     int64     `json:"runs"`
	Failed   int64     `json:"failed"`
	LastSeen time.Time `json:"last_seen"`
}

// UsageOf returns s's usage capability, or an error saying that its
// backend keeps no usage.
func UsageOf(s Store) (UsageStore, error) {
	if st, ok := s.(*store); ok {
		if u, ok := st.b.(UsageStore); ok {
			return u, nil
		}
	}
	return nil, errors.New("live catalog " + s.Describe() + ": this backend keeps no usage")
}

// UsageDoc is the usage of a backend that keeps it as one document (the
// file backend's sidecar, a file on the git backend's branch): the
// aggregates and, per day, the keys of the events counted.
type UsageDoc struct {
	FormatVersion string              `json:"format_version"`
	Aggregates    []UsageAggregate    `json:"aggregates"`
	Seen          map[string][]string `json:"seen"` // day -> event keys, sorted
}

// UsageFormatVersion is the version of UsageDoc's JSON form.
const UsageFormatVersion = "1"

type usageKey struct{ product, port, consumer, day string }

// Add counts events into d as UsageStore.AddUsage does and returns how
// many were new.
func (d *UsageDoc) Add(events []UsageEvent, keepFrom string) int {
	seen := map[string]map[string]bool{}
	for day, keys := range d.Seen {
		m := make(map[string]bool, len(keys))
		for _, k := range keys {
			m[k] = true
		}
		seen[day] = m
	}
	aggs := map[usageKey]*UsageAggregate{}
	for i := range d.Aggregates {
		a := d.Aggregates[i]
		aggs[usageKey{a.Product, a.Port, a.Consumer, a.Day}] = &a
	}
	added := 0
	for _, e := range events {
		day := e.Day()
		if keepFrom != "" && day < keepFrom {
			continue
		}
		if seen[day] == nil {
			seen[day] = map[string]bool{}
		}
		if seen[day][e.Key] {
			continue
		}
		seen[day][e.Key] = true
		added++
		for _, r := range e.Reads {
			k := usageKey{r.Product, r.Port, r.Consumer, day}
			a := aggs[k]
			if a == nil {
				a = &UsageAggregate{UsageRead: r, Day: day}
				aggs[k] = a
			}
			a.Runs++
			if e.Failed {
				a.Failed++
			}
			if e.Time.After(a.LastSeen) {
				a.LastSeen = e.Time.UTC()
			}
		}
	}
	d.FormatVersion = UsageFormatVersion
	d.Aggregates = d.Aggregates[:0]
	for _, a := range aggs {
		if keepFrom == "" || a.Day >= keepFrom {
			d.Aggregates = append(d.Aggregates, *a)
		}
	}
	SortUsage(d.Aggregates)
	d.Seen = map[string][]string{}
	for day, m := range seen {
		if keepFrom != "" && day < keepFrom {
			continue
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		d.Seen[day] = keys
	}
	return added
}

// Since returns d's aggregates of days from since.
func (d *UsageDoc) Since(since string) []UsageAggregate {
	out := []UsageAggregate{}
	for _, a := range d.Aggregates {
		if since == "" || a.Day >= since {
			out = append(out, a)
		}
	}
	return out
}

// SortUsage sorts aggregates by product, port, consumer and day.
func SortUsage(as []UsageAggregate) {
	slices.SortFunc(as, func(a, b UsageAggregate) int {
		return cmp.Or(cmp.Compare(a.Product, b.Product), cmp.Compare(a.Port, b.Port),
			cmp.Compare(a.Consumer, b.Consumer), cmp.Compare(a.Day, b.Day))
	})
}
