package file

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/meshc-dev/meshc/pkg/state"
)

var _ state.UsageStore = (*Backend)(nil)

// UsagePath is the sidecar file that keeps the catalog's observed usage:
// <catalog>.usage.json, beside the catalog, under its own lock
// (<catalog>.usage.json.lock), so that ingesting usage never waits for an
// apply nor an apply for an ingest.
func (b *Backend) UsagePath() string { return b.Path + ".usage.json" }

// usageLockWait bounds how long AddUsage waits for another ingest.
const usageLockWait = 30 * time.Second

// AddUsage merges events into the sidecar under its lock and replaces it
// atomically.
func (b *Backend) AddUsage(ctx context.Context, events []state.UsageEvent, keepFrom string) (int, error) {
	side := &Backend{Path: b.UsagePath()}
	deadline := time.Now().Add(usageLockWait)
	var sess state.Session
	for {
		var err error
		sess, err = side.Lock(ctx, "meshc usage ingest")
		if err == nil {
			break
		}
		if _, locked := errors.AsType[*state.LockedError](err); !locked || time.Now().After(deadline) {
			return 0, fmt.Errorf("usage %s: %w", side.Path, err)
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	defer sess.Unlock()
	doc, err := b.readUsage()
	if err != nil {
		return 0, err
	}
	added, err := doc.Add(events, keepFrom)
	if err != nil {
		return 0, fmt.Errorf("usage %s: %w: move it aside; the next ingest starts a new one", side.Path, err)
	}
	data, err := json.Marshal(doc)
	if err != nil {
		return 0, err
	}
	if err := writeAtomic(side.Path, append(data, '\n')); err != nil {
		return 0, fmt.Errorf("write usage %s: %w", side.Path, err)
	}
	return added, nil
}

// ReadUsage reads the sidecar's aggregates from since.
func (b *Backend) ReadUsage(ctx context.Context, since string) ([]state.UsageAggregate, error) {
	doc, err := b.readUsage()
	if err != nil {
		return nil, err
	}
	return doc.Since(since), nil
}

func (b *Backend) readUsage() (*state.UsageDoc, error) {
	doc := &state.UsageDoc{}
	data, err := os.ReadFile(b.UsagePath())
	if errors.Is(err, fs.ErrNotExist) {
		return doc, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read usage: %w", err)
	}
	if err := json.Unmarshal(data, doc); err != nil {
		return nil, fmt.Errorf("usage %s is not meshc's usage document (%v): move it aside; the next ingest starts a new one", b.UsagePath(), err)
	}
	if doc.FormatVersion != state.UsageFormatVersion {
		return nil, fmt.Errorf("usage %s has format version %q, this meshc reads %q", b.UsagePath(), doc.FormatVersion, state.UsageFormatVersion)
	}
	return doc, nil
}
