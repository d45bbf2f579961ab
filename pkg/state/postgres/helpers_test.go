package postgres

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/meshc-dev/meshc/internal/pgtest"
	"github.com/meshc-dev/meshc/pkg/state"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

var catalogs atomic.Int64

// newBackend returns a backend on a new catalog of database db.
func newBackend(t testing.TB, c *pgtest.Cluster, db string) *Backend {
	t.Helper()
	return mustNew(t, fmt.Sprintf("%s&catalog=c%d", c.URL(pgtest.Superuser, db), catalogs.Add(1)))
}

func mustNew(t testing.TB, url string) *Backend {
	t.Helper()
	b, err := New(url)
	if err != nil {
		t.Fatalf("New(%q): %v", url, err)
	}
	return b
}

// conn connects to b's database as b does.
func conn(t testing.TB, b *Backend) *pgx.Conn {
	t.Helper()
	conn, err := b.connect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { closeConn(conn) })
	return conn
}

// exec runs sql on b's database.
func exec(t testing.TB, b *Backend, sql string, args ...any) {
	t.Helper()
	if _, err := conn(t, b).Exec(context.Background(), sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// plant replaces b's catalog by the rows of a JSON document, bypassing the
// backend, as another tool would. It returns false for a document that is
// not a JSON object or has keys the tables have no place for.
func plant(t testing.TB, b *Backend, data []byte) bool {
	t.Helper()
	var doc map[string]json.RawMessage
	if json.Unmarshal(data, &doc) != nil {
		return false
	}
	for k := range doc {
		if !slices.Contains([]string{"format_version", "lineage", "serial", "domains", "products", "meta", "history"}, k) {
			return false
		}
	}
	var (
		format, lineage string
		serial          int64
		domains         map[string]json.RawMessage
		products        map[string]json.RawMessage
		meta            map[string]state.ProductMeta
		history         []json.RawMessage
	)
	for k, v := range map[string]any{"format_version": &format, "lineage": &lineage, "serial": &serial, "domains": &domains, "products": &products, "meta": &meta, "history": &history} {
		if raw, ok := doc[k]; ok {
			if err := json.Unmarshal(raw, v); err != nil {
				return false
			}
		}
	}
	ctx := context.Background()
	cn := conn(t, b)
	if _, err := b.schema(ctx, cn, true); err != nil {
		t.Fatal(err)
	}
	err := pgx.BeginFunc(ctx, cn, func(tx pgx.Tx) error {
		stmts := [][]any{
			{`DELETE FROM meshc_catalog WHERE catalog = $1`, b.catalog},
			{`INSERT INTO meshc_catalog (catalog, format_version, lineage, serial) VALUES ($1, $2, $3, $4)`, b.catalog, format, lineage, serial},
		}
		for k, v := range domains {
			stmts = append(stmts, []any{`INSERT INTO meshc_domain (catalog, name, doc) VALUES ($1, $2, $3::text::jsonb)`, b.catalog, k, string(v)})
		}
		for k, v := range products {
			stmts = append(stmts, []any{`INSERT INTO meshc_product (catalog, id, doc) VALUES ($1, $2, $3::text::jsonb)`, b.catalog, k, string(v)})
		}
		for k, m := range meta {
			stmts = append(stmts, []any{`INSERT INTO meshc_product_meta (catalog, product_id, created_serial, updated_serial, deprecated_on) VALUES ($1, $2, $3, $4, $5)`, b.catalog, k, m.CreatedSerial, m.UpdatedSerial, m.DeprecatedOn})
		}
		for i, e := range history {
			stmts = append(stmts, []any{`INSERT INTO meshc_history (catalog, pos, entry) VALUES ($1, $2, $3::text::jsonb)`, b.catalog, i, string(e)})
		}
		for _, st := range stmts {
			if _, err := tx.Exec(ctx, st[0].(string), st[1:]...); err != nil {
				return fmt.Errorf("%s: %w", st[0], err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return true
}

// dump returns b's catalog rows as text, one line a row in a fixed order,
// nil if there are none.
func dump(t testing.TB, b *Backend) []byte {
	t.Helper()
	ctx := context.Background()
	cn := conn(t, b)
	if v, err := version(ctx, cn); err != nil || v == 0 {
		if err != nil {
			t.Fatal(err)
		}
		return nil
	}
	var out bytes.Buffer
	for _, q := range []string{
		`SELECT format('meshc_catalog %s %s %s', format_version, lineage, serial) FROM meshc_catalog WHERE catalog = $1`,
		`SELECT format('meshc_domain %s %s', name, doc) FROM meshc_domain WHERE catalog = $1 ORDER BY name`,
		`SELECT format('meshc_product %s %s', id, doc) FROM meshc_product WHERE catalog = $1 ORDER BY id`,
		`SELECT format('meshc_product_meta %s %s %s %s', product_id, created_serial, updated_serial, deprecated_on) FROM meshc_product_meta WHERE catalog = $1 ORDER BY product_id`,
		`SELECT format('meshc_history %s %s', pos, entry) FROM meshc_history WHERE catalog = $1 ORDER BY pos`,
	} {
		rows, err := cn.Query(ctx, q, b.catalog)
		if err != nil {
			t.Fatal(err)
		}
		lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range lines {
			out.WriteString(l + "\n")
		}
	}
	if out.Len() == 0 {
		return nil
	}
	return out.Bytes()
}
