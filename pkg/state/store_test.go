package state_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/meshc-dev/meshc/pkg/state"
	"github.com/meshc-dev/meshc/pkg/state/statetest"
)

// memStorage keeps a catalog document in memory, for the tests of the
// shared logic; it records what the Store asks of it.
type memStorage struct {
	mu       sync.Mutex
	data     []byte // the document; nil: none
	holder   string // who holds the lock; "": free
	replaces []replaced
	// failReplace, if set, makes every Replace fail with it.
	failReplace error
	// failUnlock makes that many Unlock calls fail first.
	failUnlock int
}

type replaced struct{ prev, next *state.Catalog }

func newMem() *memStorage { return &memStorage{} }

func (m *memStorage) backend() state.Backend { return memBackend{m} }

type memBackend struct{ m *memStorage }

func (b memBackend) Describe() string { return "mem test" }

func (b memBackend) Read(ctx context.Context) (*state.Catalog, error) {
	b.m.mu.Lock()
	defer b.m.mu.Unlock()
	return b.m.read()
}

func (m *memStorage) read() (*state.Catalog, error) {
	if m.data == nil {
		return nil, nil
	}
	c, err := state.Decode(m.data)
	if ce, ok := errors.AsType[*state.CorruptError](err); ok {
		ce.Path = "mem"
	}
	return c, err
}

func (b memBackend) Lock(ctx context.Context, who string) (state.Session, error) {
	b.m.mu.Lock()
	defer b.m.mu.Unlock()
	if b.m.holder != "" {
		return nil, &state.LockedError{Where: "mem", Who: b.m.holder}
	}
	b.m.holder = who
	return &memSession{m: b.m, who: who}, nil
}

type memSession struct {
	m   *memStorage
	who string
}

func (s *memSession) Read(ctx context.Context) (*state.Catalog, error) {
	s.m.mu.Lock()
	defer s.m.mu.Unlock()
	if s.m.holder != s.who {
		return nil, errors.New("lock lost")
	}
	return s.m.read()
}

func (s *memSession) Replace(ctx context.Context, prev, next *state.Catalog) error {
	s.m.mu.Lock()
	defer s.m.mu.Unlock()
	if s.m.holder != s.who {
		return errors.New("lock lost")
	}
	s.m.replaces = append(s.m.replaces, replaced{prev, next})
	if s.m.failReplace != nil {
		return s.m.failReplace
	}
	data, err := state.Encode(next)
	if err != nil {
		return err
	}
	s.m.data = data
	return nil
}

func (s *memSession) Unlock() error {
	s.m.mu.Lock()
	defer s.m.mu.Unlock()
	if s.m.failUnlock > 0 {
		s.m.failUnlock--
		return errors.New("unlock failed")
	}
	if s.m.holder == s.who {
		s.m.holder = ""
	}
	return nil
}

// TestSharedStoreConformance runs the backend suite over the memory
// backend: the shared Store is what makes it pass.
func TestSharedStoreConformance(t *testing.T) {
	statetest.Run(t, func(t *testing.T) statetest.Storage {
		m := newMem()
		return statetest.Storage{
			Open: m.backend,
			Plant: func(data []byte) bool {
				m.mu.Lock()
				defer m.mu.Unlock()
				m.data = slices.Clone(data)
				return true
			},
			Raw: func() []byte {
				m.mu.Lock()
				defer m.mu.Unlock()
				return slices.Clone(m.data)
			},
		}
	})
}

func lockWrite(t *testing.T, st state.Store, c *state.Catalog, expectSerial int64) error {
	t.Helper()
	l, err := st.Lock(t.Context(), "test")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Unlock()
	return l.Write(t.Context(), c, expectSerial)
}

func TestWriteHandsBackendACompleteCatalog(t *testing.T) {
	m := newMem()
	st := state.NewStore(m.backend())
	c := &state.Catalog{History: []state.Entry{statetest.Entry("alice", 1)}} // nil maps, no format version
	inCET := c.History
	if err := lockWrite(t, st, c, 0); err != nil {
		t.Fatal(err)
	}
	if len(m.replaces) != 1 {
		t.Fatalf("%d Replace calls; want 1", len(m.replaces))
	}
	r := m.replaces[0]
	if r.prev != nil {
		t.Errorf("first Replace got prev %+v; want nil (no catalog yet)", r.prev)
	}
	n := r.next
	if n.FormatVersion != state.FormatVersion || n.Serial != 1 || len(n.Lineage) != 32 ||
		n.Domains == nil || n.Products == nil || n.Meta == nil || n.History[0].Time.Location() != time.UTC {
		t.Errorf("Replace got %+v; want format version, serial 1, a lineage, non-nil maps and UTC times", n)
	}
	if inCET[0].Time.Location() == time.UTC {
		t.Errorf("Write changed the caller's history slice in place")
	}
	if c.Serial != 1 || c.Lineage != n.Lineage {
		t.Errorf("caller's catalog after Write: serial %d lineage %q; want 1 %q", c.Serial, c.Lineage, n.Lineage)
	}

	// The next Replace gets what the lock read, to write only what changed.
	c.History = append(c.History, statetest.Entry("bob", 2))
	if err := lockWrite(t, st, c, 1); err != nil {
		t.Fatal(err)
	}
	if prev := m.replaces[1].prev; prev == nil || prev.Serial != 1 || len(prev.History) != 1 {
		t.Errorf("second Replace got prev %+v; want the catalog at serial 1", prev)
	}
}

func TestRefusedWriteNeverReplaces(t *testing.T) {
	m := newMem()
	st := state.NewStore(m.backend())
	c := statetest.Sample()
	if err := lockWrite(t, st, c, 0); err != nil {
		t.Fatal(err)
	}
	if err := lockWrite(t, st, statetest.Sample(), 1); !errors.As(err, new(*state.StaleError)) {
		t.Errorf("Write without lineage: err = %v; want *StaleError", err)
	}
	if err := lockWrite(t, st, c, 0); !errors.As(err, new(*state.StaleError)) {
		t.Errorf("Write at an old serial: err = %v; want *StaleError", err)
	}
	m.data = []byte(`{"format_version": "9"}`)
	if err := lockWrite(t, st, c, 1); !errors.As(err, new(*state.CorruptError)) {
		t.Errorf("Write over a newer format: err = %v; want *CorruptError", err)
	}
	if len(m.replaces) != 1 {
		t.Errorf("%d Replace calls; want only the first write's", len(m.replaces))
	}
}

func TestFailedReplaceLeavesCallerAlone(t *testing.T) {
	m := newMem()
	m.failReplace = errors.New("push rejected")
	c := statetest.Sample()
	err := lockWrite(t, state.NewStore(m.backend()), c, 0)
	if !errors.Is(err, m.failReplace) {
		t.Fatalf("err = %v; want the backend's", err)
	}
	if c.Serial != 0 || c.Lineage != "" {
		t.Errorf("failed Write changed the caller's catalog: serial %d lineage %q", c.Serial, c.Lineage)
	}
}

// fixed is a backend whose Read returns one catalog, as a backend that
// does not store JSON (rows in a database) builds it.
type fixed struct{ c *state.Catalog }

func (f fixed) Describe() string                             { return "fixed" }
func (f fixed) Read(context.Context) (*state.Catalog, error) { return f.c, nil }
func (f fixed) Lock(context.Context, string) (state.Session, error) {
	return nil, errors.New("read only")
}

func TestBackendCatalogIsCheckedAndNormalised(t *testing.T) {
	c, err := state.NewStore(fixed{&state.Catalog{FormatVersion: state.FormatVersion, Lineage: "ab", Serial: 3}}).Read(t.Context())
	if err != nil || c.Domains == nil || c.Products == nil || c.Meta == nil || c.History == nil {
		t.Errorf("Read = %+v, %v; want the catalog with empty collections", c, err)
	}
	_, err = state.NewStore(fixed{&state.Catalog{FormatVersion: "2", Serial: 3, Lineage: "ab"}}).Read(t.Context())
	if ce, ok := errors.AsType[*state.CorruptError](err); !ok || ce.Path != "fixed" {
		t.Errorf("Read of a newer format from a backend: err = %v; want *CorruptError at fixed", err)
	}
}

func TestUnlockRetriesAFailedUnlock(t *testing.T) {
	m := newMem()
	st := state.NewStore(m.backend())
	l, err := st.Lock(t.Context(), "alice")
	if err != nil {
		t.Fatal(err)
	}
	m.failUnlock = 1
	if err := l.Unlock(); err == nil {
		t.Fatal("Unlock hid the backend's error")
	}
	if err := l.Write(t.Context(), statetest.Sample(), 0); err != nil {
		t.Errorf("Write while still locked after a failed Unlock: %v", err)
	}
	if err := l.Unlock(); err != nil {
		t.Fatalf("second Unlock: %v", err)
	}
	if m.holder != "" {
		t.Errorf("lock still held by %q", m.holder)
	}
	if err := l.Write(t.Context(), statetest.Sample(), 1); err == nil {
		t.Errorf("Write after Unlock succeeded")
	}
}

func init() {
	state.Register("mem", func(spec state.Spec) (state.Backend, error) {
		if spec.Path == "broken" {
			return nil, errors.New("cannot open it")
		}
		return newMem().backend(), nil
	})
}

func TestOpen(t *testing.T) {
	st, err := state.Open(state.Spec{Backend: "mem"})
	if err != nil || st.Describe() != "mem test" {
		t.Fatalf("Open(mem) = %v, %v", st, err)
	}
	if c, err := st.Read(t.Context()); err != nil || c.Serial != 0 {
		t.Errorf("Read = %+v, %v; want New()", c, err)
	}
	if _, err := state.Open(state.Spec{Backend: "mem", Path: "broken"}); err == nil || err.Error() != `live catalog backend "mem": cannot open it` {
		t.Errorf("Open of a spec its backend refuses: err = %v", err)
	}

	_, err = state.Open(state.Spec{Backend: "postgres", URL: "postgres://meshc:s3cret@db.acme/mesh"})
	u, ok := errors.AsType[*state.UnsupportedError](err)
	if !ok || u.Backend != "postgres" || !slices.Contains(u.Have, "mem") {
		t.Fatalf("Open of a backend not built in: err = %#v; want *UnsupportedError listing mem", err)
	}
	want := "live catalog postgres://meshc:xxxxx@db.acme/mesh: the postgres backend is not built into this meshc; it has the backends: " + strings.Join(state.Backends(), ", ")
	if err.Error() != want {
		t.Errorf("message\n got: %s\nwant: %s", err, want)
	}
}

func TestRegisterRefusesDuplicates(t *testing.T) {
	for _, name := range []string{"mem", ""} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Register(%q) did not panic", name)
				}
			}()
			state.Register(name, func(state.Spec) (state.Backend, error) { return nil, nil })
		}()
	}
}
