package state

import (
	"context"
	"fmt"
	"slices"
)

// Breaker is a Backend that can show and break a lock left by a holder
// that will never release it (a dead process, a cancelled CI job).
type Breaker interface {
	// Holder reports who holds the lock (a *LockedError describing it), or
	// nil when nobody does.
	Holder(ctx context.Context) (*LockedError, error)
	// Break removes the lock whoever holds it.
	Break(ctx context.Context) error
}

// Holder reports who holds s's lock, or nil when nobody does.
func Holder(ctx context.Context, s Store) (*LockedError, error) {
	b, err := breaker(s)
	if err != nil {
		return nil, err
	}
	return b.Holder(ctx)
}

// BreakLock breaks s's lock, whoever holds it: for a lock its holder left
// behind, after a person has seen who that was (Holder).
func BreakLock(ctx context.Context, s Store) error {
	b, err := breaker(s)
	if err != nil {
		return err
	}
	return b.Break(ctx)
}

func breaker(s Store) (Breaker, error) {
	st, ok := s.(*store)
	if !ok {
		return nil, fmt.Errorf("live catalog %s: not a meshc store", s.Describe())
	}
	b, ok := st.b.(Breaker)
	if !ok {
		return nil, fmt.Errorf("live catalog %s: this backend cannot break a lock", s.Describe())
	}
	return b, nil
}

// Import writes c, a whole catalog from elsewhere (a migration from
// another backend, a restored backup), into a store that holds no catalog
// yet, keeping c's lineage, serial and history. A store that holds one is
// refused with a *StaleError.
func (l *lock) Import(ctx context.Context, c *Catalog) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	live, stored, err := l.read(ctx)
	if err != nil {
		return err
	}
	if live.Serial != 0 || live.Lineage != "" {
		return &StaleError{Live: live.Serial, Expected: 0, LiveLineage: live.Lineage, ExpectedLineage: c.Lineage}
	}
	if cerr := validate(c, nil); cerr != nil {
		cerr.Path = "the imported catalog"
		return cerr
	}
	next := *c
	next.FormatVersion = FormatVersion
	if next.Lineage == "" {
		next.Lineage = newLineage()
	}
	next.normalize()
	next.History = slices.Clone(next.History)
	for i := range next.History {
		next.History[i].Time = next.History[i].Time.UTC()
	}
	if err := l.sess.Replace(ctx, stored, &next); err != nil {
		return err
	}
	*c = next
	return nil
}
