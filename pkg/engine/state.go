package engine

import (
	"context"
	"errors"
	"fmt"

	"github.com/meshc-dev/meshc/pkg/state"
)

// PushOptions tunes Push.
type PushOptions struct {
	// From names where the document came from, for the history.
	From string
	// Force pushes a document of another lineage, or not newer than the
	// live one.
	Force bool
}

// Push makes doc, a live catalog document (a backup), the live catalog,
// recorded in the history. It is refused when doc is of another lineage or
// its serial is not newer than the live one, unless o.Force; it returns
// the new serial.
func (e *Engine) Push(ctx context.Context, doc []byte, o PushOptions) (int64, error) {
	c, err := state.Decode(doc)
	if err != nil {
		var ce *state.CorruptError
		if errors.As(err, &ce) {
			ce.Path = o.From
		}
		return 0, err
	}
	lock, err := e.lock(ctx)
	if err != nil {
		return 0, err
	}
	defer lock.Unlock()
	live, err := lock.Read(ctx)
	if err != nil {
		return 0, err
	}
	note := fmt.Sprintf("restored from %s (lineage %s, serial %d)", o.From, c.Lineage, c.Serial)
	if live.Serial == 0 && live.Lineage == "" {
		c.History = append(c.History, e.entry(c.Serial+1, "push", note))
		c.Serial++
		return c.Serial, lock.Import(ctx, c)
	}
	switch {
	case c.Lineage != live.Lineage && !o.Force:
		return 0, fmt.Errorf("%s has lineage %s but the live catalog %s has %s: it is another catalog; pass --force to replace it", o.From, c.Lineage, e.store.Describe(), live.Lineage)
	case c.Serial <= live.Serial && !o.Force:
		return 0, fmt.Errorf("%s is at serial %d, not newer than the live catalog (serial %d): pushing it would undo applies; pass --force to restore it anyway", o.From, c.Serial, live.Serial)
	}
	if o.Force {
		note += ", forced"
	}
	c.Lineage = live.Lineage
	c.History = append(c.History, e.entry(live.Serial+1, "push", note))
	if err := lock.Write(ctx, c, live.Serial); err != nil {
		return 0, err
	}
	return c.Serial, nil
}

// Migrate copies the live catalog, with its lineage, serial and history,
// to the empty store that to names (a path or backend URL), recording the
// move in the history there. It returns the target's description and
// serial. The source is left as it is.
func (e *Engine) Migrate(ctx context.Context, to string) (string, int64, error) {
	spec, err := state.ParseURL(to, "")
	if err != nil {
		return "", 0, fmt.Errorf("--to: %w", err)
	}
	target, err := state.Open(spec)
	if err != nil {
		return "", 0, fmt.Errorf("--to: %w", err)
	}
	// Holding the source's lock keeps applies out while the copy is made.
	srcLock, err := e.lock(ctx)
	if err != nil {
		return "", 0, err
	}
	defer srcLock.Unlock()
	src, err := srcLock.Read(ctx)
	if err != nil {
		return "", 0, err
	}
	if src.Serial == 0 {
		return "", 0, fmt.Errorf("the live catalog %s is empty: there is nothing to migrate", e.store.Describe())
	}
	lock, err := target.Lock(ctx, e.o.Actor+" (meshc state migrate)")
	if err != nil {
		return "", 0, err
	}
	defer lock.Unlock()
	src.History = append(src.History, e.entry(src.Serial+1, "migrate", "from "+e.store.Describe()))
	src.Serial++
	if err := lock.Import(ctx, src); err != nil {
		var stale *state.StaleError
		if errors.As(err, &stale) {
			return "", 0, fmt.Errorf("%s holds a catalog already (serial %d): migrate only into an empty one", target.Describe(), stale.Live)
		}
		return "", 0, err
	}
	return target.Describe(), src.Serial, nil
}

// entry is a history entry for a write that is no applied plan.
func (e *Engine) entry(serial int64, action, note string) state.Entry {
	return state.Entry{Serial: serial, Time: e.o.Now().UTC(), User: e.o.Actor, Action: action, Note: note}
}

// LockHolder reports who holds the live catalog's lock, or nil.
func (e *Engine) LockHolder(ctx context.Context) (*state.LockedError, error) {
	return state.Holder(ctx, e.store)
}

// BreakLock breaks the live catalog's lock, whoever holds it.
func (e *Engine) BreakLock(ctx context.Context) error { return state.BreakLock(ctx, e.store) }
