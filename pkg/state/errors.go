package state

import (
	"cmp"
	"fmt"
	"strings"
	"time"
)

// LockedError reports that another holder has the write lock.
type LockedError struct {
	Where string    // the lock, e.g. "file .meshc/catalog.json.lock"
	Who   string    // the holder as it named itself; "" if unknown
	PID   int       // the holder's process id; 0 if unknown
	Host  string    // the holder's host; "" if unknown
	Time  time.Time // when the lock was taken; zero if unknown
	Hint  string    // how to break a lock left by a dead process
}

func (e *LockedError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "the live catalog is locked (%s)", e.Where)
	if e.Who == "" && e.PID == 0 {
		b.WriteString(" by an unknown holder")
	} else {
		fmt.Fprintf(&b, " by %s", cmp.Or(e.Who, "?"))
		var at []string
		if e.PID != 0 {
			at = append(at, fmt.Sprintf("pid %d", e.PID))
		}
		if e.Host != "" {
			at = append(at, "on "+e.Host)
		}
		if !e.Time.IsZero() {
			at = append(at, "since "+e.Time.UTC().Format(time.RFC3339))
		}
		if len(at) > 0 {
			fmt.Fprintf(&b, " (%s)", strings.Join(at, " "))
		}
	}
	if e.Hint != "" {
		b.WriteString("; " + e.Hint)
	}
	return b.String()
}

// StaleError reports that the live catalog changed since it was read: its
// serial or its lineage is not the expected one.
type StaleError struct {
	Live, Expected               int64  // serials
	LiveLineage, ExpectedLineage string // equal unless the catalog was replaced
}

func (e *StaleError) Error() string {
	if e.LiveLineage != e.ExpectedLineage {
		return fmt.Sprintf("the live catalog has lineage %s, not %s as expected: it was replaced by a different catalog since it was read; plan again",
			cmp.Or(e.LiveLineage, `""`), cmp.Or(e.ExpectedLineage, `""`))
	}
	return fmt.Sprintf("the live catalog is at serial %d, not %d as expected: it changed since it was read; plan again", e.Live, e.Expected)
}

// CorruptError reports a stored catalog that meshc cannot use: not JSON, not
// a meshc catalog, or a format newer than this meshc. meshc never overwrites
// such a catalog.
type CorruptError struct {
	Path         string // the file or object holding the catalog
	Line, Column int    // 1-based position of a JSON error (column in bytes); 0 if none
	Reason       string // what is wrong
	Hint         string // what to do; a default is used when empty
}

// corruptHint is what to do about a catalog meshc cannot read.
const corruptHint = "restore it from history/backup or move it aside; meshc never overwrites it"

func (e *CorruptError) Error() string {
	where := e.Path
	if e.Line > 0 {
		where = fmt.Sprintf("%s:%d:%d", e.Path, e.Line, e.Column)
	}
	return fmt.Sprintf("live catalog %s is not a usable meshc catalog: %s; %s", where, e.Reason, cmp.Or(e.Hint, corruptHint))
}

// UnsupportedError reports a live catalog location that this meshc has no
// backend for: a scheme it does not know, or a backend it was built without.
type UnsupportedError struct {
	What    string   // what was asked for, e.g. "postgres://host/db", passwords redacted
	Backend string   // the backend it names; "" if no backend is known for it
	Have    []string // the backends this meshc has, sorted
}

func (e *UnsupportedError) Error() string {
	have := "none"
	if len(e.Have) > 0 {
		have = strings.Join(e.Have, ", ")
	}
	if e.Backend == "" {
		return fmt.Sprintf("no live catalog backend for %s: give a file path, file://PATH, postgres://HOST/DB or git+URL#BRANCH:PATH; this meshc has the backends: %s", e.What, have)
	}
	return fmt.Sprintf("live catalog %s: the %s backend is not built into this meshc; it has the backends: %s", e.What, e.Backend, have)
}
