package postgres

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/meshc-dev/meshc/internal/pgtest"
	"github.com/meshc-dev/meshc/pkg/catalog"
	"github.com/meshc-dev/meshc/pkg/state"
	"github.com/meshc-dev/meshc/pkg/state/statetest"
)

// ofDomain chooses the products of one domain.
func ofDomain(domain string) state.Choose {
	return func(idx *state.Index) []string {
		var ids []string
		for id, e := range idx.Products {
			if e.Domain == domain {
				ids = append(ids, id)
			}
		}
		return ids
	}
}

// xmins returns the transaction that last wrote each row of b's catalog
// (its xmin), by "table key".
func xmins(t *testing.T, b *Backend) map[string]string {
	t.Helper()
	rows, err := conn(t, b).Query(t.Context(), `
SELECT 'meshc_catalog', xmin::text FROM meshc_catalog WHERE catalog = $1
UNION ALL SELECT 'meshc_domain ' || name, xmin::text FROM meshc_domain WHERE catalog = $1
UNION ALL SELECT 'meshc_product ' || id, xmin::text FROM meshc_product WHERE catalog = $1
UNION ALL SELECT 'meshc_product_meta ' || product_id, xmin::text FROM meshc_product_meta WHERE catalog = $1
UNION ALL SELECT 'meshc_history ' || pos, xmin::text FROM meshc_history WHERE catalog = $1`, b.catalog)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	var key, xmin string
	if _, err := pgx.ForEachRow(rows, []any{&key, &xmin}, func() error {
		out[key] = xmin
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// touched compares two xmins: the rows written in between (new, changed
// or gone), sorted.
func touched(before, after map[string]string) []string {
	var keys []string
	for k, x := range before {
		if after[k] != x {
			keys = append(keys, k)
		}
	}
	for k := range after {
		if _, ok := before[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

// changePart returns part, read under l, with d02.p010 changed (and its
// meta), d02.p012 removed, d02.new added, the domain d99 added and an
// entry for bob at serial: the change TestWritePartTouchesOnlyTheDelta
// counts.
func changePart(part *state.Catalog, serial int64) *state.Catalog {
	next := *part
	next.Products = maps.Clone(part.Products)
	next.Meta = maps.Clone(part.Meta)
	next.Domains = maps.Clone(part.Domains)
	changed := *part.Products["d02.p010"]
	changed.Title = "Changed in a part"
	next.Products["d02.p010"] = &changed
	next.Meta["d02.p010"] = state.ProductMeta{CreatedSerial: 1, UpdatedSerial: serial}
	delete(next.Products, "d02.p012")
	delete(next.Meta, "d02.p012")
	added := *part.Products["d02.p013"]
	added.ID, added.Name = "d02.new", "new"
	next.Products[added.ID] = &added
	next.Meta[added.ID] = state.ProductMeta{CreatedSerial: serial, UpdatedSerial: serial}
	next.Domains["d99"] = &catalog.Domain{Name: "d99", Title: "New domain"}
	next.History = []state.Entry{statetest.Entry("bob", serial)}
	next.KeepPart(part)
	return &next
}

// TestWritePartTouchesOnlyTheDelta checks, by the xmin of every row of
// the catalog, that a merge written as a part (Lock.ReadPart, Write)
// writes the catalog row and the rows of its delta, and leaves every
// other row as it was: its cost is the delta's, not the catalog's. And
// that it went through ReplacePart, not a whole read merged.
func TestWritePartTouchesOnlyTheDelta(t *testing.T) {
	c := pgtest.Start(t)
	t.Run("direct", func(t *testing.T) { testWritePartTouches(t, c.URL(pgtest.Superuser, c.NewDatabase(t, ""))) })
	t.Run("pgbouncer", func(t *testing.T) { testWritePartTouches(t, c.Pooler(t, c.NewDatabase(t, ""))) })
}

func testWritePartTouches(t *testing.T, dbURL string) {
	b := mustNew(t, fmt.Sprintf("%s&catalog=c%d", dbURL, catalogs.Add(1)))
	st := state.NewStore(b)
	first := statetest.Linked(200)
	first.History = append(first.History, statetest.Entry("alice", 1))
	mustWrite(t, st, first, 0)
	if b.wrotePart.Load() {
		t.Fatalf("the first write was written as a part")
	}
	before := xmins(t, b)

	l, err := st.Lock(t.Context(), "bob")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Unlock()
	part, err := l.ReadPart(t.Context(), ofDomain("d02"))
	if err != nil {
		t.Fatal(err)
	}
	if len(part.Products) != 5 || part.Part() == nil || len(part.Part().Products) != 202 {
		t.Fatalf("ReadPart under the lock: %d products, index %v", len(part.Products), part.Part() != nil)
	}
	next := changePart(part, 2)
	if err := l.Write(t.Context(), next, 1); err != nil {
		t.Fatal(err)
	}
	if !b.wrotePart.Load() {
		t.Errorf("the part was not written by ReplacePart (the catalog was read whole and merged)")
	}
	want := []string{
		"meshc_catalog",
		"meshc_domain d99",
		"meshc_history 1", // after alice's, at 0
		"meshc_product d02.new", "meshc_product d02.p010", "meshc_product d02.p012",
		"meshc_product_meta d02.new", "meshc_product_meta d02.p010", "meshc_product_meta d02.p012",
	}
	after := xmins(t, b)
	if got := touched(before, after); !slices.Equal(got, want) {
		t.Errorf("the part write touched the rows\n %v\nwant\n %v", got, want)
	}
	if n := b.rows.Load(); n != int64(len(want)) {
		t.Errorf("the part write reports %d rows written; want %d", n, len(want))
	}
	if len(after) != len(before)+2 { // one product, its meta, a domain and an entry added; one product and its meta gone
		t.Errorf("%d rows after the part write, %d before", len(after), len(before))
	}
	got := mustRead(t, st)
	if got.Serial != 2 || len(got.History) != 2 || got.History[1].User != "bob" || got.Products["d02.p010"].Title != "Changed in a part" ||
		got.Products["d02.p012"] != nil || got.Products["d02.new"] == nil || got.Domains["d99"] == nil || len(got.Products) != 202 {
		t.Errorf("the catalog after the part write: serial %d, %d products, history %+v", got.Serial, len(got.Products), got.History)
	}
}

// TestReplacePart drives the session's PartSession directly: the
// compare-and-swap on the part's serial, which writes nothing when the
// catalog moved behind the lock's back, and a session still usable after
// it, whose next part write appends after the stored history.
func TestReplacePart(t *testing.T) {
	c := pgtest.Start(t)
	b := newBackend(t, c, c.NewDatabase(t, ""))
	st := state.NewStore(b)
	first := statetest.Linked(40)
	first.History = append(first.History, statetest.Entry("alice", 1), statetest.Entry("alice", 1))
	mustWrite(t, st, first, 0)

	sess, err := b.Lock(t.Context(), "bob")
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Unlock()
	ps, ok := sess.(state.PartSession)
	if !ok {
		t.Fatalf("the postgres session is no PartSession")
	}
	prev, idx, ok, err := ps.ReadPart(t.Context(), ofDomain("d02"))
	if err != nil || !ok {
		t.Fatalf("ReadPart under the lock: ok %v, %v", ok, err)
	}
	if prev.Serial != 1 || len(prev.Products) != 5 || len(prev.Meta) != 5 || len(prev.History) != 0 || len(idx.Products) != 42 || len(prev.Domains) != len(first.Domains) {
		t.Fatalf("ReadPart under the lock: serial %d, %d products, %d meta, %d history, %d indexed", prev.Serial, len(prev.Products), len(prev.Meta), len(prev.History), len(idx.Products))
	}
	next := *prev
	next.Serial, next.FormatVersion = 2, state.FormatVersion
	changed := *prev.Products["d02.p010"]
	changed.Title = "Changed in a part"
	d := state.Delta{
		Put:     map[string]*catalog.Product{"d02.p010": &changed},
		Meta:    map[string]state.ProductMeta{"d02.p010": {CreatedSerial: 1, UpdatedSerial: 2}},
		History: []state.Entry{statetest.Entry("bob", 2)},
	}

	// A nil product is refused, not stored as a JSON null no read takes.
	before := dump(t, b)
	if err := ps.ReplacePart(t.Context(), prev, &next, state.Delta{Put: map[string]*catalog.Product{"d02.p011": nil}}); err == nil || !strings.Contains(err.Error(), `"d02.p011"`) {
		t.Errorf("ReplacePart of a nil product: %v; want it refused", err)
	}
	if !bytes.Equal(dump(t, b), before) {
		t.Errorf("a refused ReplacePart changed the rows")
	}

	// The catalog moves behind the lock's back (a hand edit).
	exec(t, b, `UPDATE meshc_catalog SET serial = 7 WHERE catalog = $1`, b.catalog)
	moved := dump(t, b)
	err = ps.ReplacePart(t.Context(), prev, &next, d)
	if stale, ok := errors.AsType[*state.StaleError](err); !ok || stale.Live != 7 || stale.Expected != 1 {
		t.Fatalf("ReplacePart over a catalog that moved: %v; want a StaleError at serial 7", err)
	}
	if !bytes.Equal(dump(t, b), moved) {
		t.Errorf("a stale ReplacePart changed the rows")
	}

	prev, _, ok, err = ps.ReadPart(t.Context(), ofDomain("d02"))
	if err != nil || !ok || prev.Serial != 7 {
		t.Fatalf("ReadPart after a stale write: ok %v, serial %d, %v", ok, prev.Serial, err)
	}
	next = *prev
	next.Serial, next.FormatVersion = 8, state.FormatVersion
	if err := ps.ReplacePart(t.Context(), prev, &next, d); err != nil {
		t.Fatalf("ReplacePart: %v", err)
	}
	if n := b.rows.Load(); n != 4 { // catalog, product, meta, entry
		t.Errorf("ReplacePart wrote %d rows; want 4", n)
	}
	got, err := sess.Read(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if got.Serial != 8 || got.Products["d02.p010"].Title != "Changed in a part" || got.Meta["d02.p010"].UpdatedSerial != 2 || len(got.History) != 3 || got.History[2].User != "bob" {
		t.Errorf("after ReplacePart: serial %d, history %+v", got.Serial, got.History)
	}
	if !strings.Contains(string(dump(t, b)), "meshc_history 2 ") {
		t.Errorf("bob's entry is not at position 2, after the two stored")
	}
}

// TestLockReadPartRefused checks that when the server refuses the index
// query under the lock (here a jsonb_path_exists that fails as one
// without jsonpath would, put before pg_catalog's), the lock's
// transaction is left usable: the Store reads the catalog whole under the
// same lock, merges the part into it and writes it, and the lock is
// released cleanly.
func TestLockReadPartRefused(t *testing.T) {
	c := pgtest.Start(t)
	db := c.NewDatabase(t, "")
	c.Exec(t, db, `CREATE FUNCTION public.jsonb_path_exists(target jsonb, path jsonpath, vars jsonb, silent boolean) RETURNS boolean
LANGUAGE plpgsql AS $$BEGIN RAISE EXCEPTION 'no jsonpath here' USING ERRCODE = 'feature_not_supported'; END$$`)
	b := mustNew(t, fmt.Sprintf("%s&search_path=public,pg_catalog&catalog=c%d", c.URL(pgtest.Superuser, db), catalogs.Add(1)))
	st := state.NewStore(b)
	first := statetest.Linked(40)
	first.History = append(first.History, statetest.Entry("alice", 1))
	mustWrite(t, st, first, 0)
	if _, _, ok, err := b.ReadPart(t.Context(), ofDomain("d02")); ok || err != nil {
		t.Fatalf("ReadPart with the index query refused: ok %v, %v; want no index, no error", ok, err)
	}

	l, err := st.Lock(t.Context(), "bob")
	if err != nil {
		t.Fatal(err)
	}
	part, err := l.ReadPart(t.Context(), ofDomain("d02"))
	if err != nil {
		t.Fatalf("ReadPart under the lock with the index query refused: %v", err)
	}
	if len(part.Products) != 5 || part.Part() == nil {
		t.Fatalf("ReadPart under the lock: %d products, index %v", len(part.Products), part.Part() != nil)
	}
	if err := l.Write(t.Context(), changePart(part, 2), 1); err != nil {
		t.Fatalf("writing the part after the index query was refused: %v", err)
	}
	if b.wrotePart.Load() {
		t.Errorf("a part read whole was written by ReplacePart")
	}
	if err := l.Unlock(); err != nil {
		t.Errorf("Unlock: %v", err)
	}
	got := mustRead(t, st)
	if got.Serial != 2 || len(got.History) != 2 || got.Products["d02.p010"].Title != "Changed in a part" || got.Products["d02.p012"] != nil || len(got.Products) != 42 {
		t.Errorf("the catalog after the part write: serial %d, %d products, history %+v", got.Serial, len(got.Products), got.History)
	}
}

// TestNULRefusedInPart checks that a part write holding a string jsonb
// cannot store (U+0000) is refused by name, the rows left as they were
// and the lock held: the same part, fixed, is written next.
func TestNULRefusedInPart(t *testing.T) {
	c := pgtest.Start(t)
	b := newBackend(t, c, c.NewDatabase(t, ""))
	st := state.NewStore(b)
	mustWrite(t, st, statetest.Linked(40), 0)
	before := dump(t, b)
	l, err := st.Lock(t.Context(), "alice")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Unlock()
	part, err := l.ReadPart(t.Context(), ofDomain("d02"))
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []func(*state.Catalog){
		func(c *state.Catalog) { c.Products["d02.p010"].Description = "bad\x00byte" },
		func(c *state.Catalog) { c.Domains["d99"].Title = "bad\x00byte" },
		func(c *state.Catalog) { c.History[0].User = "bad\x00byte" },
	} {
		next := changePart(part, 2)
		bad(next)
		err := l.Write(t.Context(), next, 1)
		if err == nil || !strings.Contains(err.Error(), "U+0000") {
			t.Errorf("Write of a part holding a NUL: %v; want it refused", err)
		}
		if after := dump(t, b); !bytes.Equal(after, before) {
			t.Errorf("a refused part write changed the rows")
		}
	}
	next := changePart(part, 2)
	next.Products["d02.p010"].Description = "bad\x00byte"
	if err := l.Write(t.Context(), next, 1); err == nil || !strings.Contains(err.Error(), `meshc_product "d02.p010"`) {
		t.Errorf("Write of a product holding a NUL: %v; want it refused, naming the product", err)
	}
	next.Products["d02.p010"].Description = "fine"
	if err := l.Write(t.Context(), next, 1); err != nil {
		t.Errorf("Write of the part after a refused one, under the same lock: %v", err)
	}
	if !b.wrotePart.Load() || mustRead(t, st).Products["d02.p010"].Description != "fine" {
		t.Errorf("the fixed part was not written as a part")
	}
}
