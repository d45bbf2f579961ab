package postgres

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshc-dev/meshc/internal/pgtest"
	"github.com/meshc-dev/meshc/pkg/state"
	"github.com/meshc-dev/meshc/pkg/state/statetest"
)

func mustWrite(t testing.TB, st state.Store, c *state.Catalog, expect int64) {
	t.Helper()
	l, err := st.Lock(t.Context(), "test")
	if err != nil {
		t.Fatalf("Lock: %v", err)
	}
	if err := l.Write(t.Context(), c, expect); err != nil {
		t.Fatalf("Write: %v", err)
	}
	if err := l.Unlock(); err != nil {
		t.Fatalf("Unlock: %v", err)
	}
}

func mustRead(t *testing.T, st state.Store) *state.Catalog {
	t.Helper()
	c, err := st.Read(t.Context())
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	return c
}

func TestNew(t *testing.T) {
	tests := []struct {
		url, catalog, where, err string
	}{
		{url: "postgres://meshc@db.example/mesh", catalog: "default", where: `postgres postgres://meshc@db.example/mesh catalog "default"`},
		{url: "postgresql://db.example/mesh?catalog=sales-2&sslmode=require", catalog: "sales-2", where: `postgres postgresql://db.example/mesh?sslmode=require catalog "sales-2"`},
		{url: "postgres://meshc:hunter2@db.example/mesh", err: "set PGPASSWORD"},
		{url: "postgres://meshc@db.example/mesh?password=hunter2", err: "set PGPASSWORD"},
		{url: "postgres://db.example/mesh?catalog=", err: "a catalog name is 1 to 128"},
		{url: "postgres://db.example/mesh?catalog=a%20b", err: "a catalog name is 1 to 128"},
		{url: "mysql://db.example/mesh", err: "not a postgres:// URL"},
	}
	for _, tt := range tests {
		b, err := New(tt.url)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) || strings.Contains(err.Error(), "hunter2") {
				t.Errorf("New(%q) = %v; want an error saying %q, without the password", tt.url, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("New(%q): %v", tt.url, err)
			continue
		}
		if b.Catalog() != tt.catalog || b.Describe() != tt.where {
			t.Errorf("New(%q) = catalog %q, %s; want %q, %s", tt.url, b.Catalog(), b.Describe(), tt.catalog, tt.where)
		}
	}
	// Different catalogs have different locks.
	a, b := mustNew(t, "postgres://h/db?catalog=a"), mustNew(t, "postgres://h/db?catalog=b")
	if a.key == b.key {
		t.Errorf("catalogs a and b share the advisory lock key %d", a.key)
	}
}

// TestOpenByName checks that state.Open reaches the backend by its
// name, and that mesh.cue's url is refused with a password in it.
func TestOpenByName(t *testing.T) {
	spec, err := state.ParseURL("postgres://meshc@db.example/mesh?catalog=x", "")
	if err != nil {
		t.Fatal(err)
	}
	st, err := state.Open(spec)
	if err != nil {
		t.Fatalf("Open(%+v): %v", spec, err)
	}
	if want := `postgres postgres://meshc@db.example/mesh catalog "x"`; st.Describe() != want {
		t.Errorf("Describe = %q; want %q", st.Describe(), want)
	}
	_, err = state.Open(state.Spec{Backend: "postgres", URL: "postgres://meshc:hunter2@db.example/mesh"})
	if err == nil || strings.Contains(err.Error(), "hunter2") || !strings.Contains(err.Error(), "PGPASSWORD") {
		t.Errorf("Open with a password in the URL: %v; want a refusal naming PGPASSWORD, without the password", err)
	}
	if _, err := state.Open(state.Spec{Backend: "postgres", URL: "postgres://h/db", Path: "x"}); err == nil {
		t.Errorf("Open with a path: want an error")
	}
}

// TestCatalogsShareADatabase checks that two meshes in one database see
// neither each other's catalog nor each other's lock.
func TestCatalogsShareADatabase(t *testing.T) {
	c := pgtest.Start(t)
	db := c.NewDatabase(t, "")
	a, b := state.NewStore(newBackend(t, c, db)), state.NewStore(newBackend(t, c, db))
	ca := statetest.Sample()
	mustWrite(t, a, ca, 0)
	if got := mustRead(t, b); got.Serial != 0 || len(got.Products) != 0 {
		t.Errorf("catalog b sees serial %d, %d products; want none of a's", got.Serial, len(got.Products))
	}
	la, err := a.Lock(t.Context(), "alice")
	if err != nil {
		t.Fatal(err)
	}
	defer la.Unlock()
	cb := state.New()
	ops := *statetest.Sample().Domains["sales"]
	ops.Name = "ops"
	cb.Domains["ops"] = &ops
	mustWrite(t, b, cb, 0) // a's lock is not b's
	if cb.Lineage == ca.Lineage {
		t.Errorf("the two catalogs share the lineage %s", ca.Lineage)
	}
	if got := mustRead(t, a); got.Serial != 1 || got.Lineage != ca.Lineage || len(got.Products) != 2 || len(got.Domains) != 1 {
		t.Errorf("catalog a = serial %d, %d products, %d domains; want its own (1, 2, 1)", got.Serial, len(got.Products), len(got.Domains))
	}
	if got := mustRead(t, b); got.Serial != 1 || got.Lineage != cb.Lineage || len(got.Products) != 0 {
		t.Errorf("catalog b = serial %d, %d products; want its own (1, 0)", got.Serial, len(got.Products))
	}
}

// TestMigrations checks that a read of an empty database creates nothing,
// the first lock creates the schema (once, however many take it at the
// same time) and a newer schema is refused.
func TestMigrations(t *testing.T) {
	c := pgtest.Start(t)
	db := c.NewDatabase(t, "")
	bs := []*Backend{newBackend(t, c, db), newBackend(t, c, db), newBackend(t, c, db)}
	ctx := context.Background()
	if got := mustRead(t, state.NewStore(bs[0])); got.Serial != 0 {
		t.Fatalf("Read of an empty database = serial %d", got.Serial)
	}
	if v, err := version(ctx, conn(t, bs[0])); err != nil || v != 0 {
		t.Fatalf("after a Read, schema version = %d, %v; want 0: a read creates nothing", v, err)
	}
	errs := make(chan error, len(bs))
	for _, b := range bs {
		go func() {
			s, err := b.Lock(ctx, "migrator")
			if err == nil {
				err = s.Unlock()
			}
			errs <- err
		}()
	}
	for range bs {
		if err := <-errs; err != nil {
			t.Errorf("Lock on an empty database: %v", err)
		}
	}
	if v, err := version(ctx, conn(t, bs[0])); err != nil || v != SchemaVersion {
		t.Fatalf("after Lock, schema version = %d, %v; want %d", v, err, SchemaVersion)
	}
	var applied int
	if err := conn(t, bs[0]).QueryRow(ctx, `SELECT count(*) FROM meshc_schema_version`).Scan(&applied); err != nil || applied != len(migrations) {
		t.Errorf("meshc_schema_version has %d rows, %v; want one per migration (%d)", applied, err, len(migrations))
	}
	st := state.NewStore(bs[0])
	mustWrite(t, st, statetest.Sample(), 0)
	before := dump(t, bs[0])

	exec(t, bs[0], `INSERT INTO meshc_schema_version (version) VALUES ($1)`, SchemaVersion+1)
	_, rerr := st.Read(ctx)
	_, lerr := st.Lock(ctx, "alice")
	for _, err := range []error{rerr, lerr} {
		se, ok := errors.AsType[*SchemaError](err)
		if !ok || se.Have != SchemaVersion+1 || se.Know != SchemaVersion {
			t.Fatalf("with a newer schema: err = %v; want *SchemaError", err)
		}
		if msg := err.Error(); !strings.Contains(msg, fmt.Sprintf("version %d, newer than this meshc knows (%d)", SchemaVersion+1, SchemaVersion)) || !strings.Contains(msg, "upgrade meshc") {
			t.Errorf("message %q does not say the schema is newer and to upgrade", msg)
		}
	}
	if after := dump(t, bs[0]); !bytes.Equal(after, before) {
		t.Errorf("a newer schema's catalog was changed")
	}
}

// TestMigrationsAreNumbered checks the embedded files: versions from 1
// with no gap, each with SQL.
func TestMigrationsAreNumbered(t *testing.T) {
	if len(migrations) == 0 || SchemaVersion != len(migrations) {
		t.Fatalf("%d migrations, schema version %d", len(migrations), SchemaVersion)
	}
	for i, m := range migrations {
		if m.version != i+1 || !strings.Contains(m.sql, "CREATE") && !strings.Contains(m.sql, "ALTER") {
			t.Errorf("migration %d: %s, version %d", i, m.name, m.version)
		}
	}
}

// TestPooledLock checks the lock when every operation has a connection of
// its own, directly and through PgBouncer in transaction mode: the holder
// is named from its row; when the holder's connection drops, the lock is
// free at once, its row blocks no one, and what it wrote stands.
func TestPooledLock(t *testing.T) {
	c := pgtest.Start(t)
	t.Run("direct", func(t *testing.T) { testPooledLock(t, c.URL(pgtest.Superuser, c.NewDatabase(t, ""))) })
	t.Run("pgbouncer", func(t *testing.T) { testPooledLock(t, c.Pooler(t, c.NewDatabase(t, ""))) })
}

func testPooledLock(t *testing.T, dbURL string) {
	url := fmt.Sprintf("%s&catalog=c%d", dbURL, catalogs.Add(1))
	b := mustNew(t, url)
	carol := state.NewStore(mustNew(t, url))
	l, err := carol.Lock(t.Context(), "carol@ci (meshc apply)")
	if err != nil {
		t.Fatal(err)
	}
	written := statetest.Sample()
	if err := l.Write(t.Context(), written, 0); err != nil {
		t.Fatal(err)
	}
	dave := state.NewStore(mustNew(t, url))
	_, err = dave.Lock(t.Context(), "dave")
	locked, ok := errors.AsType[*state.LockedError](err)
	if !ok || locked.Who != "carol@ci (meshc apply)" || locked.PID != os.Getpid() || locked.Host == "" || locked.Time.IsZero() {
		t.Fatalf("Lock while carol holds it: %v (%+v); want carol's pid, host and time", err, locked)
	}
	if !strings.Contains(err.Error(), "pg_terminate_backend(") {
		t.Errorf("message %q does not say how to end the holder", err)
	}

	// Carol's connection drops (her process died). Wait for her server
	// process to be gone (PostgreSQL 14's timeout): ending it is
	// asynchronous, and on a loaded machine it may still hold the lock.
	exec(t, b, `SELECT pg_terminate_backend(backend_pid, 10000) FROM meshc_lock WHERE catalog = $1`, b.catalog)
	var rows int
	if err := conn(t, b).QueryRow(t.Context(), `SELECT count(*) FROM meshc_lock WHERE catalog = $1`, b.catalog).Scan(&rows); err != nil || rows != 1 {
		t.Fatalf("carol's lock row: %d rows, %v; want her stale row there", rows, err)
	}
	ld, err := dave.Lock(t.Context(), "dave")
	if err != nil {
		t.Fatalf("Lock after the holder's connection dropped: %v; want the lock, whatever its row says", err)
	}
	got, err := ld.Read(t.Context())
	if err != nil || got.Serial != 1 || got.Lineage != written.Lineage {
		t.Fatalf("Read after the crash = %+v, %v; want carol's write", got, err)
	}
	// Carol's session is gone: it cannot write, and its Unlock leaves
	// dave's lock alone.
	if err := l.Write(t.Context(), got, 1); err == nil {
		t.Errorf("Write on a dropped connection succeeded")
	}
	l.Unlock()
	if _, err := state.NewStore(mustNew(t, url)).Lock(t.Context(), "erin"); !isLockedBy(err, "dave") {
		t.Errorf("after carol's Unlock: Lock = %v; want dave to hold it still", err)
	}
	got.History = append(got.History, statetest.Entry("dave", 2))
	if err := ld.Write(t.Context(), got, 1); err != nil {
		t.Fatal(err)
	}
	if err := ld.Unlock(); err != nil {
		t.Fatal(err)
	}
	if err := conn(t, b).QueryRow(t.Context(), `SELECT count(*) FROM meshc_lock WHERE catalog = $1`, b.catalog).Scan(&rows); err != nil || rows != 0 {
		t.Errorf("after Unlock: %d lock rows, %v; want none", rows, err)
	}
}

func isLockedBy(err error, who string) bool {
	l, ok := errors.AsType[*state.LockedError](err)
	return ok && l.Who == who
}

// TestWritesOnlyWhatChanged checks that a write touches the catalog row
// and the rows that differ, and leaves the others as they were.
func TestWritesOnlyWhatChanged(t *testing.T) {
	c := pgtest.Start(t)
	b := newBackend(t, c, c.NewDatabase(t, ""))
	st := state.NewStore(b)
	first := statetest.Sample()
	first.History = append(first.History, statetest.Entry("alice", 1))
	mustWrite(t, st, first, 0)
	// catalog, 1 domain, 2 products, 2 metas, 1 history entry
	if n := b.rows.Load(); n != 7 {
		t.Errorf("first write wrote %d rows; want 7", n)
	}
	xmin := func(id string) string {
		var x string
		if err := conn(t, b).QueryRow(t.Context(), `SELECT xmin::text FROM meshc_product WHERE catalog = $1 AND id = $2`, b.catalog, id).Scan(&x); err != nil {
			t.Fatal(err)
		}
		return x
	}
	returns := xmin("sales.returns")

	next := mustRead(t, st)
	next.Products["sales.orders"].Version = "1.1.0"
	next.Meta["sales.orders"] = state.ProductMeta{CreatedSerial: 1, UpdatedSerial: 2}
	next.History = append(next.History, statetest.Entry("bob", 2))
	mustWrite(t, st, next, 1)
	// catalog, 1 product, 1 meta, 1 history entry
	if n := b.rows.Load(); n != 4 {
		t.Errorf("second write wrote %d rows; want 4", n)
	}
	if xmin("sales.returns") != returns {
		t.Errorf("the unchanged product sales.returns was rewritten")
	}
	third := mustRead(t, st)
	delete(third.Products, "sales.returns")
	delete(third.Meta, "sales.returns")
	third.History = third.History[:1] // a rewritten history is kept as given
	mustWrite(t, st, third, 2)
	got := mustRead(t, st)
	if len(got.Products) != 1 || len(got.Meta) != 1 || len(got.History) != 1 || got.History[0].User != "alice" || got.Products["sales.orders"].Version != "1.1.0" {
		t.Errorf("after deleting a product and a history entry: %+v", got)
	}
}

// TestCorruptRows checks that a row meshc cannot use is a CorruptError
// naming its table and row, and that nothing overwrites it.
func TestCorruptRows(t *testing.T) {
	c := pgtest.Start(t)
	db := c.NewDatabase(t, "")
	tests := []struct {
		name, sql, where, reason string
	}{
		{"product not an object", `UPDATE meshc_product SET doc = '"orders"' WHERE catalog = $1 AND id = 'sales.orders'`, `table meshc_product, row "sales.orders"`, "its JSON is a string, not a product"},
		{"null product", `UPDATE meshc_product SET doc = 'null' WHERE catalog = $1 AND id = 'sales.returns'`, `table meshc_product, row "sales.returns"`, "its product is null"},
		{"product field of the wrong type", `UPDATE meshc_product SET doc = '{"id": "sales.orders", "outputPorts": []}' WHERE catalog = $1 AND id = 'sales.orders'`, `table meshc_product, row "sales.orders"`, "its JSON is not a product"},
		{"product of another id", `UPDATE meshc_product SET doc = jsonb_set(doc, '{id}', '"sales.other"') WHERE catalog = $1 AND id = 'sales.orders'`, `table meshc_product, row "sales.orders"`, `its JSON is the product "sales.other"`},
		{"null domain", `UPDATE meshc_domain SET doc = 'null' WHERE catalog = $1`, `table meshc_domain, row "sales"`, "its domain is null"},
		{"history entry not an object", `UPDATE meshc_history SET entry = '[1]' WHERE catalog = $1`, `table meshc_history, row "0"`, "its JSON is a array, not a history entry"},
		{"newer format", `UPDATE meshc_catalog SET format_version = '2' WHERE catalog = $1`, `catalog "c`, `format_version "2" is newer`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newBackend(t, c, db)
			st := state.NewStore(b)
			s := statetest.Sample()
			s.History = append(s.History, statetest.Entry("alice", 1))
			mustWrite(t, st, s, 0)
			exec(t, b, tt.sql, b.catalog)
			before := dump(t, b)

			_, err := st.Read(t.Context())
			checkCorrupt(t, "Read", err, tt.where, tt.reason)
			l, err := st.Lock(t.Context(), "alice")
			if err != nil {
				t.Fatal(err)
			}
			for _, serial := range []int64{0, 1} {
				checkCorrupt(t, "Write", l.Write(t.Context(), statetest.Sample(), serial), tt.where, tt.reason)
			}
			if err := l.Unlock(); err != nil {
				t.Fatal(err)
			}
			if after := dump(t, b); !bytes.Equal(after, before) {
				t.Errorf("a refused Write changed the rows:\n%s\nwant\n%s", after, before)
			}
		})
	}
}

func checkCorrupt(t *testing.T, op string, err error, where, reason string) {
	t.Helper()
	ce, ok := errors.AsType[*state.CorruptError](err)
	if !ok {
		t.Fatalf("%s: err = %v; want *state.CorruptError", op, err)
	}
	if !strings.Contains(ce.Path, where) || !strings.Contains(ce.Reason, reason) || !strings.Contains(err.Error(), "never overwrites it") {
		t.Errorf("%s: %q; want it at %q, saying %q and that meshc never overwrites it", op, err, where, reason)
	}
}

// TestPasswordNeverPrinted plants a password in PGPASSWORD and in a
// pgpass file and checks that no message shows it, the server's and pgx's
// included.
func TestPasswordNeverPrinted(t *testing.T) {
	const planted = "Planted-s3cret-Pw"
	c := pgtest.Start(t)
	role := c.NewRole(t, planted)
	db := c.NewDatabase(t, role)
	url := c.URL(role, db) + "&catalog=pw"

	var errs []error
	check := func(what string, err error) {
		t.Helper()
		if err == nil {
			t.Errorf("%s: no error", what)
			return
		}
		t.Logf("%s: %v", what, err)
		errs = append(errs, err)
	}

	// In the URL it is refused, and not repeated.
	_, err := New(strings.Replace(url, role+"@", role+":"+planted+"@", 1))
	check("a password in the URL", err)
	_, err = New(url + "&password=" + planted)
	check("a password in the URL's query", err)

	// From PGPASSWORD: a wrong one fails to log in; the right one works.
	t.Setenv("PGPASSWORD", planted+"-wrong")
	_, err = state.NewStore(mustNew(t, url)).Read(t.Context())
	check("Read with a wrong password", err)
	if err != nil && !strings.Contains(err.Error(), "password authentication failed") {
		t.Errorf("wrong password: %v; want the server's reason", err)
	}
	t.Setenv("PGPASSWORD", planted)
	st := state.NewStore(mustNew(t, url))
	mustWrite(t, st, statetest.Sample(), 0)
	l, err := st.Lock(t.Context(), "alice")
	if err != nil {
		t.Fatal(err)
	}
	_, err = st.Lock(t.Context(), "bob")
	check("Lock while alice holds it", err)
	check("Write a stale serial", l.Write(t.Context(), statetest.Sample(), 7))
	l.Unlock()
	_, err = state.NewStore(mustNew(t, strings.Replace(url, "/"+db+"?", "/no_such_db?", 1))).Read(t.Context())
	check("Read of a database that does not exist", err)
	_, err = state.NewStore(mustNew(t, strings.Replace(url, fmt.Sprintf(":%d/", c.Port), ":1/", 1))).Read(t.Context())
	check("Read of a port with no server", err)

	// From a pgpass file.
	t.Setenv("PGPASSWORD", "")
	passfile := filepath.Join(t.TempDir(), "pgpass")
	if err := os.WriteFile(passfile, []byte(fmt.Sprintf("127.0.0.1:%d:*:%s:%s\n", c.Port, role, planted)), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PGPASSFILE", passfile)
	b := mustNew(t, url)
	if got := mustRead(t, state.NewStore(b)); got.Serial != 1 {
		t.Errorf("Read with the password from a pgpass file = serial %d; want 1", got.Serial)
	}
	exec(t, b, `UPDATE meshc_product SET doc = 'null' WHERE catalog = 'pw'`)
	_, err = state.NewStore(b).Read(t.Context())
	check("Read of a corrupt row", err)
	check("pgx's own error, wrapped", b.fail("do something", fmt.Errorf("server said: password %q is wrong", planted)))

	if len(errs) < 9 {
		t.Fatalf("checked %d errors", len(errs))
	}
	for _, err := range errs {
		if strings.Contains(err.Error(), planted) {
			t.Errorf("message shows the password: %v", err)
		}
	}
}

// TestNULRefused checks that a string jsonb cannot hold (U+0000) is
// refused by name, the catalog left as it was and the lock still held.
func TestNULRefused(t *testing.T) {
	for doc, want := range map[string]bool{`"a\u0000"`: true, `"a\\u0000"`: false, `"a\\\u0000b"`: true, `"u0000"`: false} {
		if hasNUL([]byte(doc)) != want {
			t.Errorf("hasNUL(%s) = %v; want %v", doc, !want, want)
		}
	}
	c := pgtest.Start(t)
	b := newBackend(t, c, c.NewDatabase(t, ""))
	st := state.NewStore(b)
	mustWrite(t, st, statetest.Sample(), 0)
	before := dump(t, b)
	l, err := st.Lock(t.Context(), "alice")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Unlock()
	next := mustRead(t, st)
	next.Products["sales.orders"].Description = "bad\x00byte"
	err = l.Write(t.Context(), next, 1)
	if err == nil || !strings.Contains(err.Error(), `meshc_product "sales.orders"`) || !strings.Contains(err.Error(), "U+0000") {
		t.Fatalf("Write of a NUL: %v; want it refused, naming the product", err)
	}
	if after := dump(t, b); !bytes.Equal(after, before) {
		t.Errorf("a refused Write changed the rows")
	}
	next.Products["sales.orders"].Description = "fine"
	if err := l.Write(t.Context(), next, 1); err != nil {
		t.Errorf("Write after a refused one, under the same lock: %v", err)
	}
}
