package file

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/meshc-dev/meshc/pkg/state"
	"github.com/meshc-dev/meshc/pkg/state/statetest"
)

// testStore is the Store of a catalog file, with the file's path.
type testStore struct {
	state.Store
	Path string
}

func newStore(t *testing.T) testStore {
	t.Helper()
	path := filepath.Join(t.TempDir(), ".meshc", "catalog.json")
	return testStore{Open(path), path}
}

// write takes the lock, writes c at expectSerial and unlocks.
func write(t *testing.T, s testStore, c *state.Catalog, expectSerial int64) error {
	t.Helper()
	l, err := s.Lock(t.Context(), "test")
	if err != nil {
		t.Fatalf("Lock: %v", err)
	}
	defer func() {
		if err := l.Unlock(); err != nil {
			t.Errorf("Unlock: %v", err)
		}
	}()
	return l.Write(t.Context(), c, expectSerial)
}

func read(t *testing.T, s testStore) *state.Catalog {
	t.Helper()
	c, err := s.Read(t.Context())
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	return c
}

func TestReadMissing(t *testing.T) {
	c := read(t, newStore(t))
	if c.Serial != 0 || c.Lineage != "" || c.FormatVersion != state.FormatVersion {
		t.Errorf("Read of missing file = serial %d lineage %q format %q; want 0, \"\", %q", c.Serial, c.Lineage, c.FormatVersion, state.FormatVersion)
	}
	if c.Domains == nil || c.Products == nil || c.Meta == nil {
		t.Errorf("Read of missing file has nil maps: %+v", c)
	}
}

func TestWriteReadRoundTrip(t *testing.T) {
	s := newStore(t)
	c := statetest.Sample()
	c.History = append(c.History, statetest.Entry("alice", 1))
	if err := write(t, s, c, 0); err != nil {
		t.Fatalf("first Write: %v", err)
	}
	if c.Serial != 1 || len(c.Lineage) != 32 {
		t.Fatalf("after first Write: serial %d lineage %q; want 1 and 32 hex digits", c.Serial, c.Lineage)
	}
	first, err := os.ReadFile(s.Path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasSuffix(first, []byte("}\n")) {
		t.Errorf("file does not end with a newline: %q", first[max(0, len(first)-10):])
	}
	if !bytes.Contains(first, []byte(`"Sales & Orders"`)) || !bytes.Contains(first, []byte("\n  \"domains\": {")) {
		t.Errorf("file is not indented by two spaces without HTML escaping:\n%s", first)
	}
	if fi, err := os.Stat(s.Path); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("file mode = %v, %v; want 0644", fi.Mode().Perm(), err)
	}

	got := read(t, s)
	if got.Serial != 1 || got.Lineage != c.Lineage {
		t.Errorf("Read = serial %d lineage %q; want 1 %q", got.Serial, got.Lineage, c.Lineage)
	}
	if p := got.Products["sales.orders"]; p == nil || p.OutputPorts["events"].Schema["id"].Type != "string" {
		t.Errorf("product not round-tripped: %+v", p)
	}
	if len(got.History) != 1 || !got.History[0].Time.Equal(statetest.Entry("", 0).Time) || got.History[0].Time.Location() != time.UTC {
		t.Errorf("history not round-tripped in UTC: %+v", got.History)
	}

	// Writing what was read gives the same bytes but for the serial.
	if err := write(t, s, got, 1); err != nil {
		t.Fatalf("second Write: %v", err)
	}
	if got.Serial != 2 || got.Lineage != c.Lineage {
		t.Errorf("after second Write: serial %d lineage %q; want 2 %q", got.Serial, got.Lineage, c.Lineage)
	}
	second, err := os.ReadFile(s.Path)
	if err != nil {
		t.Fatal(err)
	}
	want := bytes.Replace(first, []byte(`"serial": 1,`+"\n  \"domains\""), []byte(`"serial": 2,`+"\n  \"domains\""), 1)
	if !bytes.Equal(second, want) {
		t.Errorf("rewrite of the same catalog is not byte-identical but for the serial:\n--- first\n%s\n--- second\n%s", first, second)
	}
	if matches, _ := filepath.Glob(s.Path + ".tmp-*"); len(matches) > 0 {
		t.Errorf("temp files left behind: %v", matches)
	}
}

func TestWriteCompareAndSwap(t *testing.T) {
	s := newStore(t)
	c := statetest.Sample()
	if err := write(t, s, c, 0); err != nil {
		t.Fatal(err)
	}
	// Two writers read serial 1; the first to write wins.
	a, b := read(t, s), read(t, s)
	a.History = append(a.History, statetest.Entry("alice", 2))
	b.History = append(b.History, statetest.Entry("bob", 2))
	if err := write(t, s, a, 1); err != nil {
		t.Fatalf("first writer: %v", err)
	}
	err := write(t, s, b, 1)
	var stale *state.StaleError
	if !errors.As(err, &stale) || stale.Live != 2 || stale.Expected != 1 {
		t.Fatalf("second writer: err = %v; want *state.StaleError{Live: 2, Expected: 1}", err)
	}
	if b.Serial != 1 {
		t.Errorf("failed Write changed the caller's serial to %d", b.Serial)
	}
	if !strings.Contains(err.Error(), "serial 2, not 1") {
		t.Errorf("message %q does not give the serials", err)
	}
	got := read(t, s)
	if got.Serial != 2 || len(got.History) != 1 || got.History[0].User != "alice" {
		t.Errorf("live catalog = serial %d history %+v; want the first writer's", got.Serial, got.History)
	}
}

func TestWriteLineageMismatchIsStale(t *testing.T) {
	s := newStore(t)
	mine := statetest.Sample()
	if err := write(t, s, mine, 0); err != nil {
		t.Fatal(err)
	}
	// Someone replaces the catalog by another one at the same serial.
	other := newStore(t)
	if err := write(t, other, statetest.Sample(), 0); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(other.Path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(s.Path, data, 0o644); err != nil {
		t.Fatal(err)
	}

	err = write(t, s, mine, 1)
	var stale *state.StaleError
	if !errors.As(err, &stale) || stale.Live != 1 || stale.Expected != 1 || stale.ExpectedLineage != mine.Lineage || stale.LiveLineage == mine.Lineage {
		t.Fatalf("Write over another lineage: err = %#v; want *state.StaleError naming both lineages", err)
	}
	if !strings.Contains(err.Error(), "lineage") {
		t.Errorf("message %q does not mention the lineage", err)
	}
	if after, _ := os.ReadFile(s.Path); !bytes.Equal(after, data) {
		t.Errorf("stale Write changed the file")
	}
}

func TestLockExclusive(t *testing.T) {
	s := newStore(t)
	var (
		wg     sync.WaitGroup
		locks  [2]state.Lock
		errs   [2]error
		start  = make(chan struct{})
		owners = [2]string{"alice@host (meshc apply)", "bob@host (meshc apply)"}
	)
	for i := range 2 {
		wg.Go(func() {
			<-start
			locks[i], errs[i] = s.Lock(t.Context(), owners[i])
		})
	}
	close(start)
	wg.Wait()

	won := -1
	for i := range 2 {
		if errs[i] == nil {
			if won >= 0 {
				t.Fatal("both Lock calls succeeded")
			}
			won = i
		}
	}
	if won < 0 {
		t.Fatalf("no Lock succeeded: %v; %v", errs[0], errs[1])
	}
	lost := 1 - won
	var locked *state.LockedError
	if !errors.As(errs[lost], &locked) {
		t.Fatalf("losing Lock: err = %v; want *state.LockedError", errs[lost])
	}
	if locked.Who != owners[won] || locked.PID != os.Getpid() || locked.Time.IsZero() {
		t.Errorf("state.LockedError = %+v; want holder %q, pid %d and a time", locked, owners[won], os.Getpid())
	}
	if msg := errs[lost].Error(); !strings.Contains(msg, owners[won]) || !strings.Contains(msg, "remove "+s.Path+".lock") {
		t.Errorf("message %q does not name the holder and how to remove the lock", msg)
	}

	if err := locks[won].Unlock(); err != nil {
		t.Fatalf("Unlock: %v", err)
	}
	if _, err := os.Stat(s.Path + ".lock"); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("lock file still there after Unlock: %v", err)
	}
	if err := locks[won].Unlock(); err != nil {
		t.Errorf("second Unlock: %v", err)
	}
	if err := locks[won].Write(t.Context(), state.New(), 0); err == nil {
		t.Errorf("Write after Unlock succeeded")
	}
	l, err := s.Lock(t.Context(), owners[lost])
	if err != nil {
		t.Fatalf("Lock after Unlock: %v", err)
	}
	if err := l.Unlock(); err != nil {
		t.Fatal(err)
	}
}

func TestLockFromDeadProcessIsReported(t *testing.T) {
	s := newStore(t)
	if err := os.MkdirAll(filepath.Dir(s.Path), 0o755); err != nil {
		t.Fatal(err)
	}
	since := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	lock := fmt.Sprintf(`{"who":"carol@ci (meshc apply)","pid":999999,"host":"ci-7","time":%q}`, since.Format(time.RFC3339))
	if err := os.WriteFile(s.Path+".lock", []byte(lock), 0o644); err != nil {
		t.Fatal(err)
	}

	_, err := s.Lock(t.Context(), "dave")
	var locked *state.LockedError
	if !errors.As(err, &locked) {
		t.Fatalf("Lock: err = %v; want *state.LockedError", err)
	}
	if locked.Who != "carol@ci (meshc apply)" || locked.PID != 999999 || locked.Host != "ci-7" || !locked.Time.Equal(since) {
		t.Errorf("state.LockedError = %+v; want carol's lock", locked)
	}
	want := "locked (file " + s.Path + ".lock) by carol@ci (meshc apply) (pid 999999 on ci-7 since 2026-01-02T03:04:05Z); if no apply is running, remove " + s.Path + ".lock"
	if !strings.HasSuffix(err.Error(), want) {
		t.Errorf("message = %q; want it to end %q", err, want)
	}
	if got, _ := os.ReadFile(s.Path + ".lock"); string(got) != lock {
		t.Errorf("the lock was broken: %q", got)
	}
}

func TestLockFileUnreadable(t *testing.T) {
	// A holder that died between creating and writing its lock file.
	s := newStore(t)
	if err := os.MkdirAll(filepath.Dir(s.Path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(s.Path+".lock", nil, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := s.Lock(t.Context(), "dave")
	var locked *state.LockedError
	if !errors.As(err, &locked) || !strings.Contains(err.Error(), "unknown holder") || !strings.Contains(err.Error(), "remove "+s.Path+".lock") {
		t.Fatalf("Lock over an empty lock file: err = %v; want *state.LockedError by an unknown holder with a hint", err)
	}
}

func TestUnlockLeavesBrokenLockAlone(t *testing.T) {
	s := newStore(t)
	l, err := s.Lock(t.Context(), "alice")
	if err != nil {
		t.Fatal(err)
	}
	// Someone removes alice's lock by hand and bob takes it.
	if err := os.Remove(s.Path + ".lock"); err != nil {
		t.Fatal(err)
	}
	bob, err := s.Lock(t.Context(), "bob")
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Write(t.Context(), statetest.Sample(), 0); err == nil {
		t.Errorf("Write under a broken lock succeeded")
	}
	if _, err := os.Stat(s.Path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Write under a broken lock wrote the catalog")
	}
	if err := l.Unlock(); err == nil {
		t.Errorf("Unlock of a broken lock reported no error")
	}
	if _, err := os.Stat(s.Path + ".lock"); err != nil {
		t.Errorf("Unlock removed bob's lock: %v", err)
	}
	if err := bob.Unlock(); err != nil {
		t.Fatal(err)
	}
}
