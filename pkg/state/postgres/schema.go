package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
)

// The migrations, applied in order: NNNN_what.sql is schema version NNNN.
// A released file is never changed; a change of schema is a new file.
//
//go:embed migrations/*.sql
var migrationFS embed.FS

type migration struct {
	version int
	name    string
	sql     string
}

// migrations are the embedded migrations, by version; versions run from 1
// without gaps.
var migrations = func() []migration {
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		panic(err)
	}
	var ms []migration
	for _, name := range names {
		num, _, _ := strings.Cut(path.Base(name), "_")
		v, err := strconv.Atoi(num)
		if err != nil {
			panic(fmt.Sprintf("migration %s: name must start with its version", name))
		}
		data, err := migrationFS.ReadFile(name)
		if err != nil {
			panic(err)
		}
		ms = append(ms, migration{version: v, name: path.Base(name), sql: string(data)})
	}
	slices.SortFunc(ms, func(a, b migration) int { return a.version - b.version })
	for i, m := range ms {
		if m.version != i+1 {
			panic(fmt.Sprintf("migration %s: want version %d", m.name, i+1))
		}
	}
	return ms
}()

// SchemaVersion is the newest schema this meshc knows.
var SchemaVersion = len(migrations)

// SchemaError reports a database whose meshc schema is newer than this
// meshc knows: a newer meshc migrated it, and this one must not read or
// write it.
type SchemaError struct {
	Where string // the backend, as Describe names it
	Have  int    // the database's schema version
	Know  int    // the newest this meshc knows
}

func (e *SchemaError) Error() string {
	return fmt.Sprintf("live catalog %s: the database's meshc schema is version %d, newer than this meshc knows (%d): upgrade meshc to a release that knows it; meshc never changes a schema it does not know", e.Where, e.Have, e.Know)
}

// schemaLock is the advisory lock key that serialises migrations of a
// database, whatever its catalogs ("meshc schema" in ASCII).
const schemaLock int64 = 0x6d65736863736368

// version returns the database's schema version: 0 if it has no meshc
// schema (in the search path).
func version(ctx context.Context, q querier) (int, error) {
	var exists bool
	if err := q.QueryRow(ctx, `SELECT to_regclass('meshc_schema_version') IS NOT NULL`).Scan(&exists); err != nil || !exists {
		return 0, err
	}
	var v int
	err := q.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM meshc_schema_version`).Scan(&v)
	return v, err
}

// schema checks the database's schema on conn, outside any transaction,
// and migrates it to SchemaVersion if it is older. A database without one
// gets it only if create; otherwise schema reports false (no catalog).
func (b *Backend) schema(ctx context.Context, conn *pgx.Conn, create bool) (bool, error) {
	v, err := version(ctx, conn)
	if err != nil {
		return false, b.fail("read the schema version of live catalog", err)
	}
	switch {
	case v > SchemaVersion:
		return false, &SchemaError{Where: b.Describe(), Have: v, Know: SchemaVersion}
	case v == SchemaVersion:
		return true, nil
	case v == 0 && !create:
		return false, nil
	}
	return true, b.migrate(ctx, conn)
}

// migrate applies the migrations the database lacks, in one transaction
// under the schema lock, so that concurrent meshc processes migrate once.
func (b *Backend) migrate(ctx context.Context, conn *pgx.Conn) error {
	err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, schemaLock); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS meshc_schema_version (
	version    integer PRIMARY KEY,
	applied_at timestamptz NOT NULL DEFAULT now()
)`); err != nil {
			return err
		}
		v, err := version(ctx, tx)
		if err != nil {
			return err
		}
		if v > SchemaVersion {
			return &SchemaError{Where: b.Describe(), Have: v, Know: SchemaVersion}
		}
		for _, m := range migrations[v:] {
			if _, err := tx.Exec(ctx, m.sql); err != nil {
				return fmt.Errorf("migration %s: %w", m.name, err)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO meshc_schema_version (version) VALUES ($1)`, m.version); err != nil {
				return fmt.Errorf("migration %s: %w", m.name, err)
			}
		}
		return nil
	})
	if _, ok := errors.AsType[*SchemaError](err); ok {
		return err
	}
	return b.fail("migrate the schema of live catalog", err)
}
