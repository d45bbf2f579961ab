package postgres

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/meshc-dev/meshc/pkg/state"
)

// DefaultCatalog is the catalog a URL without catalog= names.
const DefaultCatalog = "default"

// connectTimeout bounds a connection attempt when the URL sets none.
const connectTimeout = 30 * time.Second

// catalogName is what a catalog may be called: it is quoted in messages
// and scopes rows, so keep it plain.
var catalogName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`)

// Backend keeps one named catalog in a PostgreSQL database. Every
// operation uses a connection of its own, closed when it ends, so a
// Backend holds nothing between calls and works behind a pooler.
type Backend struct {
	cfg     *pgx.ConnConfig
	where   string // the URL for messages: no password, no catalog=
	catalog string
	key     int64    // the advisory lock's key, from the catalog's name
	secrets []string // what must never appear in a message

	// rows counts the rows the last successful Replace or ReplacePart
	// wrote, and wrotePart says which it was, for tests and the benchmark.
	rows      atomic.Int64
	wrotePart atomic.Bool
}

var _ state.Backend = (*Backend)(nil)

// New returns the backend for rawURL, a postgres:// or postgresql:// URL
// whose catalog= parameter names the catalog (DefaultCatalog if absent).
// The URL must not carry a password: PGPASSWORD or a pgpass file
// (~/.pgpass, or PGPASSFILE) gives it. Other parameters and the PG*
// environment variables are libpq's (sslmode, search_path, ...). Nothing
// is reached before the first Read or Lock.
func New(rawURL string) (*Backend, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return nil, errors.New("not a postgres:// URL")
	}
	q := u.Query()
	if _, ok := u.User.Password(); ok || q.Has("password") {
		return nil, errors.New("the URL carries a password: remove it and set PGPASSWORD (or put it in ~/.pgpass), so that it is never written in mesh.cue or shown in a message")
	}
	name := DefaultCatalog
	if q.Has("catalog") {
		name = q.Get("catalog")
		q.Del("catalog")
	}
	if !catalogName.MatchString(name) {
		return nil, fmt.Errorf("catalog=%q: a catalog name is 1 to 128 letters, digits, '.', '_' or '-', starting with a letter or digit", name)
	}
	u.RawQuery = q.Encode()
	cfg, err := pgx.ParseConfig(u.String())
	if err != nil {
		return nil, redactErr(secretsOf(nil), err)
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = connectTimeout
	}
	// Every operation has a connection of its own: no statement cache to
	// keep, and none that a pooler in transaction mode could confuse.
	cfg.DefaultQueryExecMode = pgx.QueryExecModeExec
	cfg.StatementCacheCapacity = 0
	cfg.DescriptionCacheCapacity = 0
	sum := sha256.Sum256([]byte("meshc catalog " + name))
	return &Backend{
		cfg:     cfg,
		where:   u.String(),
		catalog: name,
		key:     int64(binary.BigEndian.Uint64(sum[:8])),
		secrets: secretsOf(cfg),
	}, nil
}

// Open returns the Store of the catalog rawURL names.
func Open(rawURL string) (state.Store, error) {
	b, err := New(rawURL)
	if err != nil {
		return nil, err
	}
	return state.NewStore(b), nil
}

// Catalog is the name of the catalog the backend keeps.
func (b *Backend) Catalog() string { return b.catalog }

// Describe names the backend, its database and catalog, e.g.
// `postgres postgres://meshc@db/mesh catalog "default"`.
func (b *Backend) Describe() string {
	return fmt.Sprintf("postgres %s catalog %q", b.where, b.catalog)
}

// secretsOf returns the passwords a message must not show: the one the
// connection will use (from PGPASSWORD or a pgpass file) and PGPASSWORD.
func secretsOf(cfg *pgx.ConnConfig) []string {
	var s []string
	if cfg != nil && cfg.Password != "" {
		s = append(s, cfg.Password)
	}
	if pw := os.Getenv("PGPASSWORD"); pw != "" {
		s = append(s, pw)
	}
	return s
}

// redacted is an error whose message had the passwords taken out. It
// unwraps to the original, for errors.Is and errors.As; print it, not what
// it wraps.
type redacted struct {
	msg string
	err error
}

func (e *redacted) Error() string { return e.msg }
func (e *redacted) Unwrap() error { return e.err }

func redactErr(secrets []string, err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	for _, s := range secrets {
		msg = strings.ReplaceAll(msg, s, "xxxxx")
	}
	return &redacted{msg: msg, err: err}
}

// fail wraps an error of the database (or pgx) in what was being done,
// with the passwords taken out. The state package's own errors pass as
// they are: they name no password.
func (b *Backend) fail(what string, err error) error {
	if err == nil {
		return nil
	}
	switch err.(type) {
	case *state.LockedError, *state.StaleError, *state.CorruptError, *SchemaError:
		return err
	}
	return redactErr(b.secrets, fmt.Errorf("%s %s: %w", what, b.Describe(), err))
}

// connect opens a connection of the operation's own.
func (b *Backend) connect(ctx context.Context) (*pgx.Conn, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	conn, err := pgx.ConnectConfig(ctx, b.cfg.Copy())
	if err != nil {
		return nil, b.fail("connect to live catalog", err)
	}
	return conn, nil
}

// closeConn closes conn, whatever state it is in.
func closeConn(conn *pgx.Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn.Close(ctx)
}

// Read returns the catalog, or nil if there is none yet, from one
// snapshot (a repeatable-read transaction), so that it never mixes two
// writes. A database without meshc's tables has no catalog: Read creates
// nothing.
func (b *Backend) Read(ctx context.Context) (*state.Catalog, error) {
	conn, err := b.connect(ctx)
	if err != nil {
		return nil, err
	}
	defer closeConn(conn)
	ok, err := b.schema(ctx, conn, false)
	if err != nil || !ok {
		return nil, err
	}
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, b.fail("read live catalog", err)
	}
	defer tx.Rollback(context.Background())
	c, err := b.load(ctx, tx)
	return c, b.fail("read live catalog", err)
}
