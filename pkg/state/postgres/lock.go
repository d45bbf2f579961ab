package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/meshc-dev/meshc/pkg/state"
)

// holderSettle bounds how long Lock waits for a lock's new holder to
// write its row: it does so right after taking the lock.
const holderSettle = 250 * time.Millisecond

// unlockTimeout bounds Unlock, which has no context.
const unlockTimeout = 30 * time.Second

// Lock takes the catalog's advisory lock in a transaction of a connection
// of its own, creating or migrating the schema first if needed, and
// records who holds it in meshc_lock. If another transaction holds the
// lock it fails at once with a *LockedError naming the holder. The lock
// lasts until Unlock, or until the connection drops: a holder that died
// holds nothing, and the row it left is ignored.
func (b *Backend) Lock(ctx context.Context, who string) (state.Session, error) {
	conn, err := b.connect(ctx)
	if err != nil {
		return nil, err
	}
	s, err := b.lock(ctx, conn, who)
	if err != nil {
		closeConn(conn)
		return nil, err
	}
	return s, nil
}

func (b *Backend) lock(ctx context.Context, conn *pgx.Conn, who string) (*session, error) {
	if _, err := b.schema(ctx, conn, true); err != nil {
		return nil, err
	}
	var tok [16]byte
	rand.Read(tok[:])
	s := &session{b: b, conn: conn, token: hex.EncodeToString(tok[:])}
	host, _ := os.Hostname()
	// A lock released between our failed try and our look at its holder
	// is free again: try a few times before calling it busy.
	for range 3 {
		if _, err := conn.Exec(ctx, "BEGIN"); err != nil {
			return nil, b.fail("lock live catalog", err)
		}
		var got bool
		if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_xact_lock($1), pg_backend_pid()`, b.key).Scan(&got, &s.pid); err != nil {
			return nil, b.fail("lock live catalog", err)
		}
		if got {
			// Commit the holder's row for others to read, and take the
			// lock again at once.
			_, err := conn.Exec(ctx, `INSERT INTO meshc_lock (catalog, who, pid, host, since, backend_pid, token) VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (catalog) DO UPDATE SET who = excluded.who, pid = excluded.pid, host = excluded.host, since = excluded.since, backend_pid = excluded.backend_pid, token = excluded.token`,
				b.catalog, who, os.Getpid(), host, time.Now().UTC().Truncate(time.Microsecond), s.pid, s.token)
			if err != nil {
				return nil, b.fail("lock live catalog", err)
			}
			got, err = s.recommit(ctx)
			if err != nil {
				return nil, b.fail("lock live catalog", err)
			}
			if got {
				return s, nil
			}
		}
		if _, err := conn.Exec(ctx, "ROLLBACK"); err != nil {
			return nil, b.fail("lock live catalog", err)
		}
		held, err := b.holder(ctx, conn)
		if err != nil {
			return nil, b.fail("lock live catalog", err)
		}
		if held != nil {
			return nil, held
		}
	}
	return nil, b.lockedError(0, nil)
}

// holder reports who holds the lock: the holder's row if it is the row of
// the connection holding the lock, or an unknown holder if that one has
// not written its row yet. It returns nil if no one holds the lock.
func (b *Backend) holder(ctx context.Context, conn *pgx.Conn) (*state.LockedError, error) {
	deadline := time.Now().Add(holderSettle)
	for {
		// An advisory lock on a bigint key is in pg_locks as classid
		// (its high half), objid (its low half) and objsubid 1.
		var pid uint32
		err := conn.QueryRow(ctx, `SELECT pid FROM pg_locks
WHERE locktype = 'advisory' AND granted AND objsubid = 1 AND classid::bigint = $1 AND objid::bigint = $2
  AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
LIMIT 1`, int64(uint64(b.key)>>32), int64(uint64(b.key)&0xffffffff)).Scan(&pid)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		var h holderRow
		err = conn.QueryRow(ctx, `SELECT who, pid, host, since, backend_pid FROM meshc_lock WHERE catalog = $1`, b.catalog).
			Scan(&h.who, &h.pid, &h.host, &h.since, &h.backendPID)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return nil, err
		}
		if err == nil && h.backendPID == pid {
			return b.lockedError(pid, &h), nil
		}
		if time.Now().After(deadline) {
			return b.lockedError(pid, nil), nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// holderRow is a row of meshc_lock.
type holderRow struct {
	who        string
	pid        int
	host       string
	since      time.Time
	backendPID uint32
}

func (b *Backend) lockedError(pid uint32, h *holderRow) *state.LockedError {
	e := &state.LockedError{
		Where: fmt.Sprintf("%s, advisory lock %d", b.Describe(), b.key),
		Hint:  "the lock is released when its holder's transaction ends, also if the holder dies",
	}
	if pid != 0 {
		e.Hint = fmt.Sprintf("%s; if no apply is running, end server process %d (SELECT pg_terminate_backend(%d))", e.Hint, pid, pid)
	}
	if h != nil {
		e.Who, e.PID, e.Host, e.Time = h.who, h.pid, h.host, h.since.UTC()
	}
	return e
}

// session is the lock held by an open transaction of conn.
type session struct {
	b     *Backend
	conn  *pgx.Conn
	token string // in our meshc_lock row
	pid   uint32 // the server process of conn

	mu       sync.Mutex
	released bool
	lost     error // why the lock is no longer ours, once it is not
}

// recommit commits the session's transaction and begins another that
// holds the lock again, with no instant in between where the lock is
// free: in one simple query (which a pooler in transaction mode keeps on
// one server connection), the session also takes the lock at session
// level before COMMIT and drops that hold once the new transaction has
// the lock. Only a failed COMMIT (the server in trouble) can skip the drop;
// the connection is then closed, which ends the hold on a direct
// connection (behind a pooler, the LockedError's hint names the server
// process to end). It reports whether the new transaction has the lock.
func (s *session) recommit(ctx context.Context) (bool, error) {
	k := s.b.key
	results, err := s.conn.PgConn().Exec(ctx, fmt.Sprintf(
		"SELECT pg_advisory_lock(%d); COMMIT; BEGIN; SELECT pg_try_advisory_xact_lock(%d); SELECT pg_advisory_unlock(%d)", k, k, k)).ReadAll()
	if err != nil {
		return false, err
	}
	if len(results) != 5 || results[1].CommandTag.String() != "COMMIT" || len(results[3].Rows) != 1 || len(results[3].Rows[0]) != 1 {
		return false, errors.New("unexpected answer to the COMMIT of the lock's transaction")
	}
	return string(results[3].Rows[0][0]) == "t", nil
}

// usable reports why the session cannot read or write, if it cannot.
func (s *session) usable() error {
	if s.released {
		return fmt.Errorf("live catalog %s: the lock was already released", s.b.Describe())
	}
	return s.lost
}

// Read reads the catalog in the lock's transaction.
func (s *session) Read(ctx context.Context) (*state.Catalog, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.usable(); err != nil {
		return nil, err
	}
	c, err := s.b.load(ctx, s.conn)
	if err != nil {
		s.broken(err)
	}
	return c, s.b.fail("read live catalog", err)
}

// broken marks the session unusable after an error of the database: its
// transaction is aborted, or its connection gone.
func (s *session) broken(err error) {
	var ce *state.CorruptError
	if !errors.As(err, &ce) && s.lost == nil {
		s.lost = s.b.fail("live catalog lock lost after an error", err)
	}
}

// Replace writes next in place of prev in the lock's transaction and
// commits it, then takes the lock again. A failed write is rolled back to
// before it, the lock kept. If the lock cannot be taken again (another
// apply took it in the instant between), the write stands and the
// session's further Reads, Replaces and its Unlock report the lost lock.
func (s *session) Replace(ctx context.Context, prev, next *state.Catalog) error {
	return s.write(ctx, false, func() (int64, error) { return s.b.store(ctx, s.conn, prev, next) })
}

var _ state.PartSession = (*session)(nil)

// ReadPart is Backend.ReadPart in the lock's transaction: the index, then
// the products chosen from it, their meta and every domain. The lock keeps
// every other meshc from writing in between, so all are of one stored
// catalog, as Read's are (and a product row edited by hand in between
// differs from its index entry: the part is then not trusted). The read is
// undone to a savepoint after it, so that a query the server refused (the
// index query on a server without jsonpath, which aborts the transaction)
// leaves the lock's transaction usable: ok is then false, and the Store
// reads the catalog whole under the same lock.
func (s *session) ReadPart(ctx context.Context, choose state.Choose) (*state.Catalog, *state.Index, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.usable(); err != nil {
		return nil, nil, false, err
	}
	if _, err := s.conn.Exec(ctx, "SAVEPOINT meshc_read"); err != nil {
		s.broken(err)
		return nil, nil, false, s.b.fail("read live catalog", err)
	}
	c, idx, ok, err := s.b.loadPart(ctx, s.conn, choose)
	end := "RELEASE SAVEPOINT meshc_read"
	if err != nil || !ok {
		end = "ROLLBACK TO SAVEPOINT meshc_read; RELEASE SAVEPOINT meshc_read" // one simple query
	}
	if _, eerr := s.conn.Exec(ctx, end); eerr != nil {
		s.broken(eerr)
		if err == nil {
			err = eerr
		}
	}
	if err != nil {
		return nil, nil, false, s.b.fail("read live catalog", err)
	}
	return c, idx, ok, nil
}

// ReplacePart writes d, the change from prev (what ReadPart returned) to
// next, in the lock's transaction and commits it, as Replace does: only
// the catalog row and the rows d names are written (see storePart), a
// failed write is rolled back, and a lock lost in the commit is reported
// by what the session does next.
func (s *session) ReplacePart(ctx context.Context, prev, next *state.Catalog, d state.Delta) error {
	return s.write(ctx, true, func() (int64, error) { return s.b.storePart(ctx, s.conn, prev, next, d) })
}

// write runs store, which writes through s.conn and returns the rows it
// wrote (of a part of the catalog, if part), in the lock's transaction,
// and commits it, taking the lock again; a failed store is rolled back to
// before it, the lock kept.
func (s *session) write(ctx context.Context, part bool, store func() (int64, error)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.usable(); err != nil {
		return err
	}
	if _, err := s.conn.Exec(ctx, "SAVEPOINT meshc_write"); err != nil {
		s.broken(err)
		return s.b.fail("write live catalog", err)
	}
	n, err := store()
	if err != nil {
		if _, rerr := s.conn.Exec(ctx, "ROLLBACK TO SAVEPOINT meshc_write"); rerr != nil {
			s.broken(rerr)
		}
		return s.b.fail("write live catalog", err)
	}
	got, err := s.recommit(ctx)
	if err != nil {
		s.broken(err)
		closeConn(s.conn) // ends what the failed COMMIT left held
		return s.b.fail("commit live catalog (read it to see whether its serial moved)", err)
	}
	s.b.rows.Store(n)
	s.b.wrotePart.Store(part)
	if !got {
		s.lost = fmt.Errorf("live catalog %s: the lock was taken by another apply right after this one's write", s.b.Describe())
	}
	return nil
}

// Unlock removes our holder row and commits, which releases the lock,
// and closes the connection.
func (s *session) Unlock() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.released {
		return nil
	}
	s.released = true
	defer closeConn(s.conn)
	if s.lost != nil {
		return fmt.Errorf("unlock: %w", s.lost)
	}
	ctx, cancel := context.WithTimeout(context.Background(), unlockTimeout)
	defer cancel()
	if _, err := s.conn.Exec(ctx, `DELETE FROM meshc_lock WHERE catalog = $1 AND token = $2`, s.b.catalog, s.token); err != nil {
		return s.b.fail("unlock live catalog", err)
	}
	if _, err := s.conn.Exec(ctx, "COMMIT"); err != nil {
		return s.b.fail("unlock live catalog", err)
	}
	return nil
}
