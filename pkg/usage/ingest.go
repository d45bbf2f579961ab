package usage

import (
	"context"
	"io"
	"time"

	"github.com/meshc-dev/meshc/pkg/state"
)

// Ingester counts run events into a usage store.
type Ingester struct {
	Store state.UsageStore
	Index *Index
	// Now is the clock retention counts from; nil is time.Now.
	Now func() time.Time
	// RetentionDays is how many days of aggregates are kept; 0 keeps all.
	RetentionDays int
	// Batch is how many events are written at a time (BatchSize when 0).
	Batch int
}

// KeepFrom is the first day retention keeps, or "" for every day.
func (in *Ingester) KeepFrom() string {
	if in.RetentionDays <= 0 {
		return ""
	}
	now := time.Now
	if in.Now != nil {
		now = in.Now
	}
	return now().UTC().AddDate(0, 0, -(in.RetentionDays - 1)).Format(time.DateOnly)
}

// Ingest reads NDJSON run events from r and counts them; an event counted
// before (its run id, type and time) is not counted again.
func (in *Ingester) Ingest(ctx context.Context, r io.Reader) (Result, error) {
	keep := in.KeepFrom()
	added := 0
	res, err := Stream(r, in.Index, in.Batch, func(evs []state.UsageEvent) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		n, err := in.Store.AddUsage(ctx, evs, keep)
		added += n
		return err
	})
	res.Added = added
	return res, err
}
