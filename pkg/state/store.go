package state

import (
	"context"
	"fmt"
	"slices"
	"sync"
)

// Store is where the live catalog lives, as callers use it: the shared
// compare-and-swap over one Backend (see NewStore and Open).
type Store interface {
	// Read returns the live catalog; a missing catalog is New() (serial 0), not an error.
	Read(ctx context.Context) (*Catalog, error)
	// ReadPart returns part of the live catalog: every domain, the
	// products choose names from the index of all of them (with their
	// meta), and no history; its Part is that index. A backend that
	// cannot read part of its catalog (see PartReader) reads it whole,
	// and the part is taken from that.
	ReadPart(ctx context.Context, choose Choose) (*Catalog, error)
	// Lock takes the exclusive write lock for who (e.g. "alice@host (meshc
	// apply)"); if another holder has it, it fails at once with
	// *LockedError naming the holder, when and where.
	Lock(ctx context.Context, who string) (Lock, error)
	// Describe names the backend and location for messages, e.g. "file .meshc/catalog.json".
	Describe() string
}

// Lock is a held write lock on a Store.
type Lock interface {
	// Read returns the live catalog as it is under the lock, for planning
	// again when another apply wrote first.
	Read(ctx context.Context) (*Catalog, error)
	// ReadPart is Store.ReadPart under the lock: the part a write of part
	// of the catalog starts from.
	ReadPart(ctx context.Context, choose Choose) (*Catalog, error)
	// Write replaces the catalog if the live serial and lineage are still
	// expectSerial and c.Lineage (compare-and-swap; otherwise *StaleError).
	// On success it sets c.Serial to expectSerial+1 and fills c.Lineage on
	// the first write; on failure c is unchanged. The replacement is atomic.
	// A part of the catalog (c.Part() set, the last ReadPart changed) is
	// written as what it changes, the rest left as it is (see
	// PartSession); it must follow the ReadPart it came from.
	Write(ctx context.Context, c *Catalog, expectSerial int64) error
	// Import writes c whole, keeping its lineage, serial and history, into
	// a store that holds no catalog yet (a migration, a restored backup);
	// a store that holds one is a *StaleError.
	Import(ctx context.Context, c *Catalog) error
	// Unlock releases the lock; releasing it again is a no-op.
	Unlock() error
}

// Backend stores the live catalog for a Store. It only keeps the document:
// serial, lineage, history and the compare-and-swap are the Store's, so
// every backend behaves the same (each runs the statetest suite).
type Backend interface {
	// Describe names the backend and its location, e.g. "file .meshc/catalog.json".
	Describe() string
	// Read returns the stored catalog without taking the lock, or nil if
	// there is none yet. A stored document this meshc cannot use is a
	// *CorruptError (Decode gives one).
	Read(ctx context.Context) (*Catalog, error)
	// Lock takes the exclusive write lock for who, without waiting: a lock
	// held by anyone else, even a dead process, is a *LockedError naming
	// its holder. Taking the lock changes no catalog.
	Lock(ctx context.Context, who string) (Session, error)
}

// Session is a Backend's held lock. The Store calls Read before each
// Replace and never calls either after Unlock succeeded.
type Session interface {
	// Read returns the stored catalog under the lock, as Backend.Read does.
	Read(ctx context.Context) (*Catalog, error)
	// Replace stores next in place of prev, the catalog this session's
	// last Read returned (nil: there was none), in one atomic step: readers
	// see prev or next, never a mix, even across a crash. next is
	// complete (serial, lineage, format version, UTC times); a backend
	// may use prev to write only what changed. It fails, writing nothing,
	// if the stored catalog is no longer prev or the lock was lost (a
	// *StaleError when it can tell the live serial and lineage).
	Replace(ctx context.Context, prev, next *Catalog) error
	// Unlock releases the lock. A lock that was broken and taken by
	// someone else is left alone and reported.
	Unlock() error
}

// Noticer is a Session, or a Lock, with something to tell about taking
// it: a dead holder's lock it broke. The caller shows the notices.
type Noticer interface {
	Notices() []string
}

// NewStore returns the Store over b.
func NewStore(b Backend) Store { return &store{b: b} }

type store struct{ b Backend }

func (s *store) Describe() string { return s.b.Describe() }

func (s *store) Read(ctx context.Context) (*Catalog, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	c, err := s.b.Read(ctx)
	return s.checked(c, err)
}

// checked turns what a backend read into a usable catalog: nil is New(),
// and a catalog this meshc cannot rewrite is refused, whatever the backend.
func (s *store) checked(c *Catalog, err error) (*Catalog, error) {
	if err != nil {
		return nil, err
	}
	if c == nil {
		return New(), nil
	}
	if cerr := validate(c, nil); cerr != nil {
		cerr.Path = s.b.Describe()
		return nil, cerr
	}
	c.normalize()
	return c, nil
}

func (s *store) ReadPart(ctx context.Context, choose Choose) (*Catalog, error) {
	return s.readPart(ctx, choose)
}

func (s *store) Lock(ctx context.Context, who string) (Lock, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	sess, err := s.b.Lock(ctx, who)
	if err != nil {
		return nil, err
	}
	return &lock{s: s, sess: sess}, nil
}

// lock is a held Lock: the compare-and-swap over a backend's Session.
type lock struct {
	s    *store
	sess Session

	mu       sync.Mutex // one Write at a time; none after Unlock
	released bool

	// The last ReadPart: the part, and whether the session read it
	// itself (a PartSession) or it was cut from the whole, which is kept
	// to write the merge back.
	part               *Catalog
	partNative         bool
	partWhole, partRaw *Catalog
}

func (l *lock) Read(ctx context.Context) (*Catalog, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	c, _, err := l.read(ctx)
	return c, err
}

// read reads the catalog under the lock: usable (nil is New()) and as the
// session returned it, to hand back to Replace.
func (l *lock) read(ctx context.Context) (c, stored *Catalog, err error) {
	if l.released {
		return nil, nil, fmt.Errorf("live catalog %s: the lock was already released", l.s.Describe())
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	stored, err = l.sess.Read(ctx)
	c, err = l.s.checked(stored, err)
	return c, stored, err
}

func (l *lock) ReadPart(ctx context.Context, choose Choose) (*Catalog, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.part, l.partWhole, l.partRaw = nil, nil, nil
	if ps, ok := l.sess.(PartSession); ok && !l.released {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		c, idx, ok, err := ps.ReadPart(ctx, choose)
		if err != nil {
			return nil, err
		}
		if ok {
			c, err := l.s.usablePart(c, idx)
			if err == nil && c.part != nil {
				l.part, l.partNative = c, true
			}
			return c, err
		}
	}
	whole, raw, err := l.read(ctx)
	if err != nil {
		return nil, err
	}
	if whole.Serial == 0 && len(whole.Products) == 0 {
		return whole, nil // nothing to take part of: written whole
	}
	part := Part(whole, choose)
	l.part, l.partNative, l.partWhole, l.partRaw = part, false, whole, raw
	return part, nil
}

func (l *lock) Write(ctx context.Context, c *Catalog, expectSerial int64) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if c.part != nil {
		return l.writePart(ctx, c, expectSerial)
	}
	live, stored, err := l.read(ctx)
	if err != nil {
		return err
	}
	// An empty lineage means there is no catalog yet: the first write
	// keeps c's lineage if it has one (a catalog moved from another
	// backend) or starts a new one.
	if live.Serial != expectSerial || (live.Lineage != "" && live.Lineage != c.Lineage) {
		return &StaleError{Live: live.Serial, Expected: expectSerial, LiveLineage: live.Lineage, ExpectedLineage: c.Lineage}
	}
	next := *c
	next.FormatVersion = FormatVersion
	next.Serial = expectSerial + 1
	if next.Lineage == "" {
		next.Lineage = newLineage()
	}
	next.normalize()
	next.History = slices.Clone(next.History)
	for i := range next.History {
		next.History[i].Time = next.History[i].Time.UTC() // same instant, same bytes
	}
	if err := l.sess.Replace(ctx, stored, &next); err != nil {
		return err
	}
	*c = next
	return nil
}

// writePart writes c, the part l.part became, as the change between them.
func (l *lock) writePart(ctx context.Context, c *Catalog, expectSerial int64) error {
	prev := l.part
	if l.released {
		return fmt.Errorf("live catalog %s: the lock was already released", l.s.Describe())
	}
	if prev == nil || prev.part != c.part {
		return fmt.Errorf("live catalog %s: a part of the catalog is written only after the lock's ReadPart read it", l.s.Describe())
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if prev.Serial != expectSerial || prev.Lineage != c.Lineage {
		return &StaleError{Live: prev.Serial, Expected: expectSerial, LiveLineage: prev.Lineage, ExpectedLineage: c.Lineage}
	}
	next := *c
	next.FormatVersion = FormatVersion
	next.Serial = expectSerial + 1
	next.normalize()
	next.History = slices.Clone(next.History)
	for i := range next.History {
		next.History[i].Time = next.History[i].Time.UTC()
	}
	d, err := delta(prev, &next)
	if err != nil {
		return fmt.Errorf("live catalog %s: %w", l.s.Describe(), err)
	}
	if l.partNative {
		err = l.sess.(PartSession).ReplacePart(ctx, prev, &next, d)
	} else {
		err = l.sess.Replace(ctx, l.partRaw, Merge(l.partWhole, &next, d))
	}
	if err != nil {
		return err
	}
	l.part, l.partWhole, l.partRaw = nil, nil, nil // read again before another write
	*c = next
	return nil
}

// Notices are the session's, if it has any.
func (l *lock) Notices() []string {
	if n, ok := l.sess.(Noticer); ok {
		return n.Notices()
	}
	return nil
}

func (l *lock) Unlock() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.released {
		return nil
	}
	if err := l.sess.Unlock(); err != nil {
		return err
	}
	l.released = true
	return nil
}
