package statetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/meshc-dev/meshc/pkg/catalog"
	"github.com/meshc-dev/meshc/pkg/state"
)

// Storage is one empty place to keep a live catalog, made for one test.
type Storage struct {
	// Open returns a new handle on the storage, as another meshc process
	// would open it: handles share the catalog and the lock.
	Open func() state.Backend
	// Plant stores data as the catalog document, bypassing the backend, as
	// a hand edit or another tool would, and reports whether it could. A
	// storage of bytes (a file) holds any document; one of rows (a
	// database) holds only a JSON object whose keys have a place in its
	// tables, and returns false for the rest (bytes that are not JSON, a
	// Terraform state): the suite skips those cases, which such a backend
	// tests with corrupt rows of its own. Nil skips the tests of corrupt
	// and foreign documents.
	Plant func(data []byte) bool
	// Raw returns the stored document as it is, nil if there is none: the
	// bytes of a file, or a dump of the rows of a database. Nil skips the
	// checks that a refused write left the document alone.
	Raw func() []byte
}

// Factory makes an empty Storage for the test t; t's cleanup removes it.
type Factory func(t *testing.T) Storage

// Run runs the conformance suite: every backend must pass it unchanged.
func Run(t *testing.T, newStorage Factory) {
	tests := []struct {
		name string
		test func(*testing.T, Storage)
	}{
		{"ReadMissing", testReadMissing},
		{"FirstWriteFixesLineage", testFirstWrite},
		{"FirstWriteKeepsMovedLineage", testFirstWriteKeepsLineage},
		{"WriteKeepsHistory", testWriteKeepsHistory},
		{"StaleSerial", testStaleSerial},
		{"StaleLineage", testStaleLineage},
		{"LockContention", testLockContention},
		{"CrashBeforeUnlock", testCrashBeforeUnlock},
		{"LockRead", testLockRead},
		{"ReleasedLock", testReleasedLock},
		{"Canceled", testCanceled},
		{"Corrupt", testCorrupt},
		{"ConcurrentWriters", testConcurrentWriters},
		{"ReadPart", testReadPart},
		{"WritePart", testWritePart},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.test(t, newStorage(t)) })
	}
}

// open returns a Store on a new handle of s.
func open(t *testing.T, s Storage) state.Store {
	t.Helper()
	st := state.NewStore(s.Open())
	if st.Describe() == "" {
		t.Fatal("Describe is empty: it must name the backend and where it keeps the catalog")
	}
	return st
}

func lock(t *testing.T, st state.Store, who string) state.Lock {
	t.Helper()
	l, err := st.Lock(t.Context(), who)
	if err != nil {
		t.Fatalf("Lock(%q): %v", who, err)
	}
	return l
}

func unlock(t *testing.T, l state.Lock) {
	t.Helper()
	if err := l.Unlock(); err != nil {
		t.Fatalf("Unlock: %v", err)
	}
}

func read(t *testing.T, st state.Store) *state.Catalog {
	t.Helper()
	c, err := st.Read(t.Context())
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	return c
}

// write takes the lock, writes c at expectSerial and unlocks.
func write(t *testing.T, st state.Store, c *state.Catalog, expectSerial int64) error {
	t.Helper()
	l := lock(t, st, "statetest")
	defer unlock(t, l)
	return l.Write(t.Context(), c, expectSerial)
}

func mustWrite(t *testing.T, st state.Store, c *state.Catalog, expectSerial int64) {
	t.Helper()
	if err := write(t, st, c, expectSerial); err != nil {
		t.Fatalf("Write at serial %d: %v", expectSerial, err)
	}
}

// raw returns the stored bytes, or nil if the storage cannot show them.
func raw(s Storage) []byte {
	if s.Raw == nil {
		return nil
	}
	return s.Raw()
}

// same reports whether two catalogs have the same document.
func same(t *testing.T, a, b *state.Catalog) bool {
	t.Helper()
	ea, err := state.Encode(a)
	if err != nil {
		t.Fatal(err)
	}
	eb, err := state.Encode(b)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Equal(ea, eb)
}

func isEmpty(c *state.Catalog) bool {
	return c.Serial == 0 && c.Lineage == "" && c.FormatVersion == state.FormatVersion &&
		c.Domains != nil && c.Products != nil && c.Meta != nil && c.History != nil &&
		len(c.Domains)+len(c.Products)+len(c.Meta)+len(c.History) == 0
}

func testReadMissing(t *testing.T, s Storage) {
	st := open(t, s)
	if c := read(t, st); !isEmpty(c) {
		t.Errorf("Read of no catalog = %+v; want New() (serial 0, no lineage, empty collections)", c)
	}
	l := lock(t, st, "alice")
	c, err := l.Read(t.Context())
	if err != nil || !isEmpty(c) {
		t.Errorf("Lock.Read of no catalog = %+v, %v; want New()", c, err)
	}
	unlock(t, l)
	if c := read(t, open(t, s)); !isEmpty(c) {
		t.Errorf("after Lock and Unlock, Read = %+v; want still no catalog", c)
	}
	if got := raw(s); got != nil {
		t.Errorf("taking the lock stored a document: %q", got)
	}
}

func testFirstWrite(t *testing.T, s Storage) {
	st := open(t, s)
	c := Sample()
	mustWrite(t, st, c, 0)
	if c.Serial != 1 || len(c.Lineage) != 32 || strings.Trim(c.Lineage, "0123456789abcdef") != "" {
		t.Fatalf("after the first Write: serial %d lineage %q; want 1 and 32 lower-case hex digits", c.Serial, c.Lineage)
	}
	got := read(t, open(t, s))
	if got.Serial != 1 || got.Lineage != c.Lineage {
		t.Errorf("Read = serial %d lineage %q; want 1 %q", got.Serial, got.Lineage, c.Lineage)
	}
	if !same(t, got, c) {
		t.Errorf("Read does not give back what was written:\n%+v\nwant\n%+v", got, c)
	}
	// The lineage stays; only the serial moves.
	mustWrite(t, st, got, 1)
	if again := read(t, st); again.Serial != 2 || again.Lineage != c.Lineage {
		t.Errorf("after the second Write: serial %d lineage %q; want 2 %q", again.Serial, again.Lineage, c.Lineage)
	}
}

func testFirstWriteKeepsLineage(t *testing.T, s Storage) {
	st := open(t, s)
	c := Sample()
	c.Lineage = "0123456789abcdef0123456789abcdef" // moved from another backend
	mustWrite(t, st, c, 0)
	if got := read(t, st); got.Lineage != "0123456789abcdef0123456789abcdef" || got.Serial != 1 {
		t.Errorf("first Write of a moved catalog: serial %d lineage %q; want 1 and its own lineage", got.Serial, got.Lineage)
	}
}

func testWriteKeepsHistory(t *testing.T, s Storage) {
	st := open(t, s)
	c := Sample()
	c.History = append(c.History, Entry("alice", 1))
	mustWrite(t, st, c, 0)
	next := read(t, st)
	next.History = append(next.History, Entry("bob", 2))
	mustWrite(t, st, next, 1)

	got := read(t, open(t, s))
	if len(got.History) != 2 || got.History[0].User != "alice" || got.History[1].User != "bob" {
		t.Fatalf("history = %+v; want alice's then bob's entry", got.History)
	}
	for i, e := range got.History {
		if !e.Time.Equal(Entry("", 0).Time) || e.Time.Location() != time.UTC {
			t.Errorf("history[%d].Time = %v; want %v in UTC", i, e.Time, Entry("", 0).Time)
		}
		if e.Sources["sales"].Commit != "abc123" || e.Summary.Create != 1 {
			t.Errorf("history[%d] = %+v; want its sources and summary kept", i, e)
		}
	}
}

func testStaleSerial(t *testing.T, s Storage) {
	st := open(t, s)
	mustWrite(t, st, Sample(), 0)
	// Two writers read serial 1; the first to write wins.
	a, b := read(t, st), read(t, open(t, s))
	a.History = append(a.History, Entry("alice", 2))
	b.History = append(b.History, Entry("bob", 2))
	mustWrite(t, st, a, 1)
	before := raw(s)

	lineage := b.Lineage
	err := write(t, open(t, s), b, 1)
	stale, ok := errors.AsType[*state.StaleError](err)
	if !ok || stale.Live != 2 || stale.Expected != 1 {
		t.Fatalf("second writer: err = %v; want *StaleError{Live: 2, Expected: 1}", err)
	}
	if b.Serial != 1 || b.Lineage != lineage {
		t.Errorf("failed Write changed the caller's catalog: serial %d lineage %q", b.Serial, b.Lineage)
	}
	if got := read(t, st); got.Serial != 2 || len(got.History) != 1 || got.History[0].User != "alice" {
		t.Errorf("live catalog = serial %d history %+v; want the first writer's", got.Serial, got.History)
	}
	if after := raw(s); !bytes.Equal(after, before) {
		t.Errorf("stale Write changed the stored document")
	}

	// Expecting a serial the catalog never reached is stale too.
	ahead := read(t, st)
	if err := write(t, st, ahead, 7); !isStale(err) {
		t.Errorf("Write expecting serial 7 at serial 2: err = %v; want *StaleError", err)
	}
}

func isStale(err error) bool {
	_, ok := errors.AsType[*state.StaleError](err)
	return ok
}

func testStaleLineage(t *testing.T, s Storage) {
	st := open(t, s)
	mine := Sample()
	mustWrite(t, st, mine, 0)
	before := raw(s)

	// Another catalog at the same serial, e.g. one moved from elsewhere.
	other := read(t, st)
	other.Lineage = "ffffffffffffffffffffffffffffffff"
	err := write(t, st, other, 1)
	stale, ok := errors.AsType[*state.StaleError](err)
	if !ok || stale.LiveLineage != mine.Lineage || stale.ExpectedLineage != other.Lineage {
		t.Fatalf("Write of another lineage: err = %#v; want *StaleError naming both lineages", err)
	}
	if !strings.Contains(err.Error(), "lineage") {
		t.Errorf("message %q does not mention the lineage", err)
	}
	// A brand-new catalog cannot replace an existing one either.
	if err := write(t, st, Sample(), 1); !isStale(err) {
		t.Errorf("Write of a catalog without lineage over one with: err = %v; want *StaleError", err)
	}
	if got := read(t, st); got.Lineage != mine.Lineage || got.Serial != 1 {
		t.Errorf("live catalog = serial %d lineage %q; want 1 %q", got.Serial, got.Lineage, mine.Lineage)
	}
	if after := raw(s); !bytes.Equal(after, before) {
		t.Errorf("stale Write changed the stored document")
	}
}

func testLockContention(t *testing.T, s Storage) {
	const alice, bob = "alice@host (meshc apply)", "bob@ci (meshc apply)"
	st := open(t, s)
	l := lock(t, st, alice)
	for _, other := range []state.Store{open(t, s), st} {
		_, err := other.Lock(t.Context(), bob)
		locked, ok := errors.AsType[*state.LockedError](err)
		if !ok {
			t.Fatalf("Lock while alice holds it: err = %v; want *LockedError", err)
		}
		if locked.Who != alice || !strings.Contains(err.Error(), alice) {
			t.Errorf("LockedError %q names %q; want the holder %q", err, locked.Who, alice)
		}
	}
	unlock(t, l)
	unlock(t, lock(t, open(t, s), bob))
}

func testCrashBeforeUnlock(t *testing.T, s Storage) {
	const who = "carol@ci (meshc apply)"
	crashed := open(t, s)
	l := lock(t, crashed, who)
	c := Sample()
	if err := l.Write(t.Context(), c, 0); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Unlock() })
	// The process dies here: another one sees the write and the lock.

	next := open(t, s)
	if got := read(t, next); got.Serial != 1 || got.Lineage != c.Lineage {
		t.Errorf("after a crash, Read = serial %d lineage %q; want the written catalog (1 %q)", got.Serial, got.Lineage, c.Lineage)
	}
	_, err := next.Lock(t.Context(), "dave")
	if locked, ok := errors.AsType[*state.LockedError](err); !ok || locked.Who != who {
		t.Errorf("Lock after a crash: err = %v; want *LockedError naming %q", err, who)
	}
}

func testLockRead(t *testing.T, s Storage) {
	st := open(t, s)
	mustWrite(t, st, Sample(), 0)
	l := lock(t, st, "alice")
	defer unlock(t, l)
	c, err := l.Read(t.Context())
	if err != nil || c.Serial != 1 {
		t.Fatalf("Lock.Read = %+v, %v; want serial 1", c, err)
	}
	c.History = append(c.History, Entry("alice", 2))
	delete(c.Products, "sales.returns")
	if err := l.Write(t.Context(), c, 1); err != nil {
		t.Fatal(err)
	}
	got, err := l.Read(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if got.Serial != 2 || !same(t, got, c) {
		t.Errorf("Lock.Read after Write = serial %d; want the written catalog at serial 2", got.Serial)
	}
	// Re-planning under the lock: a second Write from what Lock.Read gave.
	got.History = append(got.History, Entry("alice", 3))
	if err := l.Write(t.Context(), got, got.Serial); err != nil {
		t.Errorf("second Write under the same lock: %v", err)
	}
}

func testReleasedLock(t *testing.T, s Storage) {
	st := open(t, s)
	l := lock(t, st, "alice")
	unlock(t, l)
	if err := l.Unlock(); err != nil {
		t.Errorf("second Unlock: %v", err)
	}
	if err := l.Write(t.Context(), Sample(), 0); err == nil {
		t.Errorf("Write after Unlock succeeded")
	}
	if _, err := l.Read(t.Context()); err == nil {
		t.Errorf("Lock.Read after Unlock succeeded")
	}
	if c := read(t, st); c.Serial != 0 {
		t.Errorf("Write after Unlock stored serial %d", c.Serial)
	}
	unlock(t, lock(t, st, "bob"))
}

func testCanceled(t *testing.T, s Storage) {
	st := open(t, s)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := st.Read(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("Read with a canceled context: err = %v; want context.Canceled", err)
	}
	if _, err := st.Lock(ctx, "alice"); !errors.Is(err, context.Canceled) {
		t.Errorf("Lock with a canceled context: err = %v; want context.Canceled", err)
	}
	l := lock(t, st, "bob") // the canceled Lock took nothing
	if err := l.Write(ctx, Sample(), 0); !errors.Is(err, context.Canceled) {
		t.Errorf("Write with a canceled context: err = %v; want context.Canceled", err)
	}
	unlock(t, l)
	if c := read(t, st); c.Serial != 0 {
		t.Errorf("a canceled Write stored serial %d", c.Serial)
	}
}

// Corrupt and foreign documents: each must be refused, never overwritten.
var corrupt = []struct {
	name, data, reason string
}{
	{"invalid JSON", "{\"format_version\": \"1\",\n  \"serial\": 3,\n", "invalid JSON"},
	{"not JSON", "hello, world\n", "invalid JSON"},
	{"Terraform state", `{"version": 4, "terraform_version": "1.5.0", "serial": 3, "lineage": "x", "resources": []}`, "Terraform state"},
	{"newer format", `{"format_version": "2", "lineage": "ab", "serial": 9, "domains": {}, "products": {}, "history": []}`, `format_version "2" is newer`},
	{"serial without lineage", `{"format_version": "1", "serial": 4, "domains": {}, "products": {}, "history": []}`, "lineage is missing"},
}

func testCorrupt(t *testing.T, s Storage) {
	if s.Plant == nil {
		t.Skip("the backend's factory has no Plant hook")
	}
	for _, tt := range corrupt {
		t.Run(tt.name, func(t *testing.T) {
			if !s.Plant([]byte(tt.data)) {
				t.Skipf("the storage keeps rows and has no place for this document")
			}
			planted := raw(s)
			st := open(t, s)
			_, err := st.Read(t.Context())
			checkCorrupt(t, "Read", err, tt.reason)

			l := lock(t, st, "alice")
			_, err = l.Read(t.Context())
			checkCorrupt(t, "Lock.Read", err, tt.reason)
			for _, serial := range []int64{0, 3, 9} {
				err = l.Write(t.Context(), Sample(), serial)
				checkCorrupt(t, fmt.Sprintf("Write at serial %d", serial), err, tt.reason)
			}
			unlock(t, l)
			// What Raw showed after Plant: the bytes planted, or the rows
			// they became.
			if got := raw(s); !bytes.Equal(got, planted) {
				t.Errorf("refused Write changed the document from %q to %q", planted, got)
			}
		})
	}
}

func checkCorrupt(t *testing.T, op string, err error, reason string) {
	t.Helper()
	ce, ok := errors.AsType[*state.CorruptError](err)
	if !ok {
		t.Fatalf("%s: err = %v; want *CorruptError", op, err)
	}
	if ce.Path == "" {
		t.Errorf("%s: CorruptError %q does not say where the catalog is", op, err)
	}
	if !strings.Contains(ce.Reason, reason) || !strings.Contains(err.Error(), "never overwrites it") {
		t.Errorf("%s: message %q; want it to say %q and that meshc never overwrites it", op, err, reason)
	}
}

// testConcurrentWriters runs applies, each on its own handle, that race for
// the lock and retry when they lose: every one must land, none may overwrite
// another.
func testConcurrentWriters(t *testing.T, s Storage) {
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		st := open(t, s)
		wg.Go(func() { errs[i] = apply(t.Context(), st, fmt.Sprintf("user%02d", i)) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("apply %d: %v", i, err)
		}
	}
	st := open(t, s)
	c := read(t, st)
	if c.Serial != n || len(c.History) != n {
		t.Fatalf("after %d applies: serial %d, %d history entries; want %d and %d", n, c.Serial, len(c.History), n, n)
	}
	users := map[string]bool{}
	for i, e := range c.History {
		if e.Serial != int64(i+1) {
			t.Errorf("history[%d].Serial = %d; want %d", i, e.Serial, i+1)
		}
		users[e.User] = true
	}
	if len(users) != n {
		t.Errorf("history has %d distinct users; want %d: %+v", len(users), n, c.History)
	}
	unlock(t, lock(t, st, "after")) // no lock left behind
}

// apply is one apply's Lock→Read→Write→Unlock, retried while another holds
// the lock or wrote first.
func apply(ctx context.Context, st state.Store, user string) error {
	var err error
	for range 5000 {
		if err = applyOnce(ctx, st, user); !isStale(err) && !isLocked(err) {
			return err
		}
		time.Sleep(time.Duration(rand.IntN(1000)+100) * time.Microsecond) // back off, not a timing assertion
	}
	return fmt.Errorf("gave up: %w", err)
}

func isLocked(err error) bool {
	_, ok := errors.AsType[*state.LockedError](err)
	return ok
}

func applyOnce(ctx context.Context, st state.Store, user string) (err error) {
	c, err := st.Read(ctx)
	if err != nil {
		return err
	}
	l, err := st.Lock(ctx, user)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, l.Unlock()) }()
	serial := c.Serial
	c.History = append(c.History, state.Entry{Serial: serial + 1, Time: time.Now(), User: user, Summary: state.Summary{Update: 1}})
	return l.Write(ctx, c, serial)
}

// Sample returns a catalog with one domain and two products, as an apply
// would leave it before writing: no serial, no lineage.
func Sample() *state.Catalog {
	c := state.New()
	c.Domains["sales"] = &catalog.Domain{
		Name:   "sales",
		Title:  "Sales & Orders", // must not be HTML-escaped
		Team:   catalog.Team{Name: "Sales", GitHub: "@acme/sales"},
		Source: catalog.Source{Path: "domains/sales", Commit: "abc123"},
	}
	c.Products["sales.orders"] = &catalog.Product{
		ID: "sales.orders", Name: "orders", Domain: "sales", Version: "1.0.0",
		Status: catalog.StatusActive, Classification: "internal",
		OutputPorts: map[string]catalog.OutputPort{
			"events": {Type: "topic", Location: "kafka://orders", Access: catalog.Access{Visibility: catalog.VisibilityPublic},
				Schema: map[string]catalog.Field{"id": {Type: "string", Required: true}, "amount": {Type: "number"}}},
		},
	}
	c.Products["sales.returns"] = &catalog.Product{
		ID: "sales.returns", Name: "returns", Domain: "sales", Version: "0.1.0",
		Status: catalog.StatusDraft, Classification: "internal",
		InputPorts: map[string]catalog.InputPort{"orders": {Product: "sales.orders", Port: "events"}},
	}
	c.Meta["sales.orders"] = state.ProductMeta{CreatedSerial: 1, UpdatedSerial: 1}
	c.Meta["sales.returns"] = state.ProductMeta{CreatedSerial: 1, UpdatedSerial: 1}
	return c
}

// Entry returns a history entry of user at serial, timed in a zone other
// than UTC (the catalog stores UTC).
func Entry(user string, serial int64) state.Entry {
	return state.Entry{
		Serial:  serial,
		Time:    time.Date(2026, 3, 1, 12, 0, 0, 0, time.FixedZone("CET", 3600)),
		User:    user,
		Sources: map[string]catalog.Source{"sales": {Path: "domains/sales", Commit: "abc123"}},
		Summary: state.Summary{Create: 1},
	}
}

// Linked returns a catalog of n products in domains of five, each reading
// the one before it and some naming OpenLineage datasets or a
// replacement: a catalog whose parts differ, for the tests of ReadPart.
func Linked(n int) *state.Catalog {
	c := Sample()
	for i := range n {
		domain := fmt.Sprintf("d%02d", i/5)
		if c.Domains[domain] == nil {
			c.Domains[domain] = &catalog.Domain{Name: domain, Title: "Domain " + domain, Team: catalog.Team{Name: domain, GitHub: "@acme/" + domain}}
		}
		id := fmt.Sprintf("%s.p%03d", domain, i)
		p := &catalog.Product{
			ID: id, Name: fmt.Sprintf("p%03d", i), Domain: domain, Version: "1.0.0",
			Status: catalog.StatusActive, Classification: "internal",
			Description: "Orders <b>&</b> returns\u2028of " + id,
			OutputPorts: map[string]catalog.OutputPort{
				"out": {Type: "table", Location: fmt.Sprintf("postgres://db:5432/mesh.%s", id), Access: catalog.Access{Visibility: catalog.VisibilityPublic},
					Schema: map[string]catalog.Field{"id": {Type: "string", Required: true}, "nested": {Type: "object", Fields: map[string]catalog.Field{"a": {Type: "integer"}}}}},
			},
		}
		if i%3 == 0 {
			p.OutputPorts["events"] = catalog.OutputPort{Type: "topic", Location: "kafka://" + id, Lineage: []catalog.LineageID{{Namespace: "kafka://broker", Name: id}}}
		}
		if i > 0 {
			prev := fmt.Sprintf("d%02d.p%03d", (i-1)/5, i-1)
			p.InputPorts = map[string]catalog.InputPort{"prev": {Product: prev, Port: "out"}}
		}
		if i%7 == 6 {
			p.Status = catalog.StatusDeprecated
			p.Deprecation = &catalog.Deprecation{Sunset: "2027-01-01", ReplacedBy: "sales.orders"}
		}
		c.Products[id] = p
		c.Meta[id] = state.ProductMeta{CreatedSerial: 1, UpdatedSerial: int64(1 + i%2)}
	}
	return c
}

// testReadPart checks that ReadPart returns what Part takes from the
// whole catalog, and that a document changed behind the backend's back
// (a hand edit) is read as it is, never through a stale index.
func testReadPart(t *testing.T, s Storage) {
	st := open(t, s)
	c := Linked(40)
	mustWrite(t, st, c, 0)
	c.History = append(c.History, Entry("bob", 2))
	mustWrite(t, st, c, 1)
	choose := func(idx *state.Index) []string {
		var ids []string
		for id, e := range idx.Products {
			if e.Domain == "d03" || slices.Contains(e.Reads, "d03.p019") {
				ids = append(ids, id)
			}
		}
		return append(ids, "sales.orders", "no.such")
	}
	check := func(t *testing.T) {
		t.Helper()
		whole := read(t, open(t, s))
		want := state.Part(whole, choose)
		got, err := open(t, s).ReadPart(t.Context(), choose)
		if err != nil {
			t.Fatal(err)
		}
		if got.Part() == nil || !reflect.DeepEqual(got.Part(), want.Part()) {
			t.Errorf("ReadPart's index differs from the index of the whole catalog")
		}
		if got.Serial != whole.Serial || got.Lineage != whole.Lineage || got.FormatVersion != whole.FormatVersion {
			t.Errorf("ReadPart: serial %d lineage %q, want %d %q", got.Serial, got.Lineage, whole.Serial, whole.Lineage)
		}
		if len(got.History) != 0 {
			t.Errorf("ReadPart returned %d history entries, want none", len(got.History))
		}
		for _, f := range []struct {
			name      string
			got, want any
		}{{"domains", got.Domains, want.Domains}, {"products", got.Products, want.Products}, {"meta", got.Meta, want.Meta}} {
			if !reflect.DeepEqual(f.got, f.want) {
				t.Errorf("ReadPart's %s differ from the part of the whole catalog:\n got %v\nwant %v", f.name, f.got, f.want)
			}
		}
		if len(got.Products) != 7 { // d03's five, its reader d04.p020, sales.orders
			t.Errorf("ReadPart returned %d products, want 7: %v", len(got.Products), slices.Sorted(maps.Keys(got.Products)))
		}
		if err := write(t, st, got, got.Serial); err == nil {
			t.Errorf("a part of the catalog was written back")
		}
	}
	t.Run("Written", check)
	if s.Plant == nil {
		return
	}
	// A hand edit: a product renamed by editing the document.
	edited := read(t, st)
	p := *edited.Products["d03.p016"]
	p.Title = "edited by hand"
	edited.Products["d03.p016"] = &p
	data, err := state.Encode(edited)
	if err != nil {
		t.Fatal(err)
	}
	if !s.Plant(data) {
		return
	}
	t.Run("EditedByHand", func(t *testing.T) {
		check(t)
		got, err := open(t, s).ReadPart(t.Context(), choose)
		if err != nil {
			t.Fatal(err)
		}
		if got.Products["d03.p016"].Title != "edited by hand" {
			t.Errorf("ReadPart read a stale index: the hand edit is not in it")
		}
	})
}

// testWritePart checks that a part of the catalog read under the lock and
// changed is written as what it changes: the rest stays as it was, stubs
// are never written, and a part is written only after the lock read it.
func testWritePart(t *testing.T, s Storage) {
	st := open(t, s)
	c := Linked(40)
	c.History = append(c.History, Entry("alice", 1))
	mustWrite(t, st, c, 0)
	before := read(t, st)
	choose := func(idx *state.Index) []string {
		var ids []string
		for id, e := range idx.Products {
			if e.Domain == "d02" {
				ids = append(ids, id)
			}
		}
		return ids
	}
	l := lock(t, st, "alice")
	defer unlock(t, l)
	part, err := l.ReadPart(t.Context(), choose)
	if err != nil {
		t.Fatal(err)
	}
	if part.Part() == nil || len(part.Products) != 5 {
		t.Fatalf("ReadPart under the lock: %d products, part %v", len(part.Products), part.Part() != nil)
	}
	stub := &catalog.Product{ID: "d05.p025", Name: "p025", Domain: "d05", InputPorts: map[string]catalog.InputPort{"in0": {Product: "d05.p024"}}}
	part.AddStub(stub)

	next := *part
	next.Products = maps.Clone(part.Products)
	next.Meta = maps.Clone(part.Meta)
	next.Domains = maps.Clone(part.Domains)
	changed := *part.Products["d02.p011"]
	changed.Title = "Changed in a part"
	next.Products["d02.p011"] = &changed
	delete(next.Products, "d02.p012")
	delete(next.Meta, "d02.p012")
	added := *part.Products["d02.p013"]
	added.ID, added.Name = "d02.new", "new"
	next.Products[added.ID] = &added
	next.Meta[added.ID] = state.ProductMeta{CreatedSerial: 2, UpdatedSerial: 2}
	next.Meta["d02.p011"] = state.ProductMeta{CreatedSerial: 1, UpdatedSerial: 2}
	next.Domains["d99"] = &catalog.Domain{Name: "d99", Title: "New domain"}
	delete(next.Domains, "d07")
	next.History = []state.Entry{Entry("bob", 2)}
	next.KeepPart(part)
	if err := l.Write(t.Context(), &next, 1); err != nil {
		t.Fatalf("writing a part: %v", err)
	}
	if next.Serial != 2 {
		t.Errorf("after writing a part, serial %d, want 2", next.Serial)
	}
	if err := l.Write(t.Context(), &next, 2); err == nil {
		t.Errorf("a part was written twice from one ReadPart")
	}

	want := before
	want.Serial = 2
	want.Products = maps.Clone(before.Products)
	want.Products["d02.p011"] = &changed
	delete(want.Products, "d02.p012")
	want.Products[added.ID] = &added
	want.Meta = maps.Clone(before.Meta)
	delete(want.Meta, "d02.p012")
	want.Meta[added.ID] = next.Meta[added.ID]
	want.Meta["d02.p011"] = next.Meta["d02.p011"]
	want.Domains = maps.Clone(before.Domains)
	want.Domains["d99"] = next.Domains["d99"]
	delete(want.Domains, "d07")
	bob := Entry("bob", 2)
	bob.Time = bob.Time.UTC()
	want.History = append(slices.Clone(before.History), bob)
	got := read(t, open(t, s))
	if !same(t, got, want) {
		g, _ := state.Encode(got)
		w, _ := state.Encode(want)
		t.Errorf("the catalog after writing a part is not the catalog before with the part's changes:\n%s", lineDiff(string(g), string(w)))
	}
	if got.Products["d05.p025"] == nil || len(got.Products["d05.p025"].OutputPorts) == 0 {
		t.Errorf("the stub's product was changed: %+v", got.Products["d05.p025"])
	}
	// Read whole again: the index, if the backend keeps one, matches.
	again, err := open(t, s).ReadPart(t.Context(), choose)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(again.Products, state.Part(got, choose).Products) {
		t.Errorf("ReadPart after writing a part differs from Part of the whole")
	}

	// A stub that changed is refused, and nothing is written.
	part, err = l.ReadPart(t.Context(), choose)
	if err != nil {
		t.Fatal(err)
	}
	part.AddStub(stub)
	bad := *part
	bad.Products = maps.Clone(part.Products)
	changedStub := *stub
	changedStub.Title = "stub written"
	bad.Products[stub.ID] = &changedStub
	bad.KeepPart(part)
	if err := l.Write(t.Context(), &bad, 2); err == nil {
		t.Errorf("a part whose stub changed was written")
	}
	if got := read(t, open(t, s)); got.Serial != 2 || got.Products[stub.ID].Title == "stub written" {
		t.Errorf("a refused part write changed the catalog (serial %d)", got.Serial)
	}
}

// lineDiff returns the lines of got and want that differ, for messages.
func lineDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	var b strings.Builder
	for i := 0; i < max(len(g), len(w)) && b.Len() < 2000; i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			fmt.Fprintf(&b, "line %d:\n  got  %s\n  want %s\n", i+1, gl, wl)
		}
	}
	return b.String()
}
