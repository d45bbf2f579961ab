package state

import (
	"bytes"
	"cmp"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
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
	Key    UsageKey
	Time   time.Time // UTC
	Failed bool
	Reads  []UsageRead
}

// Day is the event's UTC day, YYYY-MM-DD.
func (e UsageEvent) Day() string { return e.Time.UTC().Format(time.DateOnly) }

// UsageKey is an event's identity: 12 bytes of a SHA-256 digest.
type UsageKey [12]byte

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
// aggregates and, per day, the keys of the events counted, each key 16
// characters of unpadded base64url, sorted and concatenated.
type UsageDoc struct {
	FormatVersion string            `json:"format_version"`
	Aggregates    []UsageAggregate  `json:"aggregates"`
	Seen          map[string]string `json:"seen"` // day -> keys
}

// UsageFormatVersion is the version of UsageDoc's JSON form.
const UsageFormatVersion = "1"

const keyChars = 16 // base64 of 12 bytes

type usageKey struct{ product, port, consumer, day string }

// Add counts events into d as UsageStore.AddUsage does and returns how
// many were new. A Seen entry that is not keys is an error.
func (d *UsageDoc) Add(events []UsageEvent, keepFrom string) (int, error) {
	seen := map[UsageKey]string{}
	for day, keys := range d.Seen {
		if len(keys)%keyChars != 0 {
			return 0, fmt.Errorf("seen %s: not a list of event keys", day)
		}
		for i := 0; i < len(keys); i += keyChars {
			var k UsageKey
			if n, err := base64.RawURLEncoding.Decode(k[:], []byte(keys[i:i+keyChars])); err != nil || n != len(k) {
				return 0, fmt.Errorf("seen %s: not a list of event keys", day)
			}
			seen[k] = day
		}
	}
	aggs := make(map[usageKey]*UsageAggregate, len(d.Aggregates))
	for i := range d.Aggregates {
		a := &d.Aggregates[i]
		aggs[usageKey{a.Product, a.Port, a.Consumer, a.Day}] = a
	}
	added := 0
	for _, e := range events {
		day := e.Day()
		if keepFrom != "" && day < keepFrom {
			continue
		}
		if _, dup := seen[e.Key]; dup {
			continue
		}
		seen[e.Key] = day
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
	out := make([]UsageAggregate, 0, len(aggs))
	for _, a := range aggs {
		if keepFrom == "" || a.Day >= keepFrom {
			out = append(out, *a)
		}
	}
	SortUsage(out)
	d.Aggregates = out
	byDay := map[string][]UsageKey{}
	for k, day := range seen {
		if keepFrom == "" || day >= keepFrom {
			byDay[day] = append(byDay[day], k)
		}
	}
	d.Seen = make(map[string]string, len(byDay))
	for day, keys := range byDay {
		slices.SortFunc(keys, func(a, b UsageKey) int { return bytes.Compare(a[:], b[:]) })
		buf := make([]byte, len(keys)*keyChars)
		for i, k := range keys {
			base64.RawURLEncoding.Encode(buf[i*keyChars:], k[:])
		}
		d.Seen[day] = string(buf)
	}
	return added, nil
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
