package postgres

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/meshc-dev/meshc/pkg/catalog"
	"github.com/meshc-dev/meshc/pkg/state"
)

// querier is a connection or a transaction.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// corrupt reports a row meshc cannot use, naming its table and key.
func (b *Backend) corrupt(table, key, reason string) *state.CorruptError {
	return &state.CorruptError{
		Path:   fmt.Sprintf("%s, table %s, row %s", b.Describe(), table, strconv.Quote(key)),
		Reason: reason,
		Hint:   "repair or delete that row (or restore the catalog from a backup); meshc never overwrites it",
	}
}

// decodeRow decodes a jsonb column of a row into a T, refusing JSON null
// and what is not a T.
func decodeRow[T any](b *Backend, table, key, what string, data []byte) (*T, error) {
	if len(data) == 0 || bytes.Equal(bytes.TrimSpace(data), []byte("null")) {
		return nil, b.corrupt(table, key, fmt.Sprintf("its %s is null", what))
	}
	var v *T
	if err := json.Unmarshal(data, &v); err != nil {
		var typ *json.UnmarshalTypeError
		if errors.As(err, &typ) && typ.Field == "" {
			return nil, b.corrupt(table, key, fmt.Sprintf("its JSON is a %s, not a %s", typ.Value, what))
		}
		return nil, b.corrupt(table, key, fmt.Sprintf("its JSON is not a %s: %v", what, err))
	}
	return v, nil
}

// load reads the catalog's rows through q, nil if it has no catalog row.
func (b *Backend) load(ctx context.Context, q querier) (*state.Catalog, error) {
	c := &state.Catalog{
		Domains:  map[string]*catalog.Domain{},
		Products: map[string]*catalog.Product{},
		Meta:     map[string]state.ProductMeta{},
		History:  []state.Entry{},
	}
	err := q.QueryRow(ctx, `SELECT format_version, lineage, serial FROM meshc_catalog WHERE catalog = $1`, b.catalog).
		Scan(&c.FormatVersion, &c.Lineage, &c.Serial)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if err := b.loadDomains(ctx, q, c); err != nil {
		return nil, err
	}
	if err := eachRow(ctx, q, `SELECT id, doc FROM meshc_product WHERE catalog = $1 ORDER BY id`, func(id string, doc []byte) error {
		p, err := b.decodeProduct(id, doc)
		c.Products[id] = p
		return err
	}, b.catalog); err != nil {
		return nil, err
	}
	if err := b.loadMeta(ctx, q, c, `SELECT product_id, created_serial, updated_serial, deprecated_on FROM meshc_product_meta WHERE catalog = $1 ORDER BY product_id`, b.catalog); err != nil {
		return nil, err
	}
	rows, err := q.Query(ctx, `SELECT pos, entry FROM meshc_history WHERE catalog = $1 ORDER BY pos`, b.catalog)
	if err != nil {
		return nil, err
	}
	var pos int
	var entry []byte
	if _, err := pgx.ForEachRow(rows, []any{&pos, &entry}, func() error {
		e, err := decodeRow[state.Entry](b, "meshc_history", strconv.Itoa(pos), "history entry", entry)
		if err != nil {
			return err
		}
		c.History = append(c.History, *e)
		return nil
	}); err != nil {
		return nil, err
	}
	return c, nil
}

// loadDomains reads every domain row of the catalog into c.
func (b *Backend) loadDomains(ctx context.Context, q querier, c *state.Catalog) error {
	return eachRow(ctx, q, `SELECT name, doc FROM meshc_domain WHERE catalog = $1 ORDER BY name`, func(name string, doc []byte) error {
		d, err := decodeRow[catalog.Domain](b, "meshc_domain", name, "domain", doc)
		if err == nil && d.Name != "" && d.Name != name {
			err = b.corrupt("meshc_domain", name, fmt.Sprintf("its JSON is the domain %q", d.Name))
		}
		c.Domains[name] = d
		return err
	}, b.catalog)
}

// decodeProduct decodes the doc of the product row id.
func (b *Backend) decodeProduct(id string, doc []byte) (*catalog.Product, error) {
	p, err := decodeRow[catalog.Product](b, "meshc_product", id, "product", doc)
	if err == nil && p.ID != "" && p.ID != id {
		err = b.corrupt("meshc_product", id, fmt.Sprintf("its JSON is the product %q", p.ID))
	}
	return p, err
}

// loadMeta reads into c the meta rows sql selects: product_id,
// created_serial, updated_serial, deprecated_on.
func (b *Backend) loadMeta(ctx context.Context, q querier, c *state.Catalog, sql string, args ...any) error {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return err
	}
	var id string
	var m state.ProductMeta
	_, err = pgx.ForEachRow(rows, []any{&id, &m.CreatedSerial, &m.UpdatedSerial, &m.DeprecatedOn}, func() error {
		c.Meta[id] = m
		return nil
	})
	return err
}

// eachRow calls fn with each (text, jsonb) row of sql.
func eachRow(ctx context.Context, q querier, sql string, fn func(key string, doc []byte) error, args ...any) error {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return err
	}
	var key string
	var doc []byte
	_, err = pgx.ForEachRow(rows, []any{&key, &doc}, func() error { return fn(key, doc) })
	return err
}

// batchRows bounds the rows one statement writes.
const batchRows = 1000

// store writes next in place of prev through q: the catalog row, with
// the compare-and-swap on prev's serial and lineage, then only the domain,
// product, meta and history rows that differ. It returns the rows written.
func (b *Backend) store(ctx context.Context, q querier, prev, next *state.Catalog) (int64, error) {
	var tag pgconn.CommandTag
	var err error
	if prev == nil {
		tag, err = q.Exec(ctx, `INSERT INTO meshc_catalog (catalog, format_version, lineage, serial) VALUES ($1, $2, $3, $4) ON CONFLICT (catalog) DO NOTHING`,
			b.catalog, next.FormatVersion, next.Lineage, next.Serial)
		prev = &state.Catalog{}
		if err != nil {
			return 0, err
		}
		if tag.RowsAffected() != 1 {
			return 0, b.stale(ctx, q, prev)
		}
	} else if err := b.swapCatalog(ctx, q, prev, next); err != nil {
		return 0, err
	}
	n := int64(1)
	for _, w := range []func() (int64, error){
		func() (int64, error) {
			return writeDocs(ctx, q, "meshc_domain", "name", b.catalog, prev.Domains, next.Domains)
		},
		func() (int64, error) {
			return writeDocs(ctx, q, "meshc_product", "id", b.catalog, prev.Products, next.Products)
		},
		func() (int64, error) { return b.writeMeta(ctx, q, prev.Meta, next.Meta) },
		func() (int64, error) { return b.writeHistory(ctx, q, prev.History, next.History) },
	} {
		m, err := w()
		if err != nil {
			return 0, err
		}
		n += m
	}
	return n, nil
}

// swapCatalog moves the catalog row from prev's serial and lineage to
// next's: the compare-and-swap of every write (a *state.StaleError when
// the row is no longer at prev).
func (b *Backend) swapCatalog(ctx context.Context, q querier, prev, next *state.Catalog) error {
	tag, err := q.Exec(ctx, `UPDATE meshc_catalog SET format_version = $2, lineage = $3, serial = $4, updated_at = now() WHERE catalog = $1 AND serial = $5 AND lineage = $6`,
		b.catalog, next.FormatVersion, next.Lineage, next.Serial, prev.Serial, prev.Lineage)
	if err != nil {
		return err
	}
	if tag.RowsAffected() != 1 {
		return b.stale(ctx, q, prev)
	}
	return nil
}

// storePart writes d, the change from prev to next (two parts of the
// stored catalog, prev as read), through q: the catalog row, with the
// compare-and-swap on prev's serial and lineage, then the domain, product
// and meta rows d puts or removes, and d.History after the stored history.
// No other row is read or written, so its cost is d's, not the catalog's.
// It returns the rows written.
func (b *Backend) storePart(ctx context.Context, q querier, prev, next *state.Catalog, d state.Delta) (int64, error) {
	if prev == nil {
		return 0, errors.New("a part of the catalog is written over the part read, not over no catalog")
	}
	if err := b.swapCatalog(ctx, q, prev, next); err != nil {
		return 0, err
	}
	n := int64(1)
	for _, w := range []func() (int64, error){
		func() (int64, error) {
			return putDocs(ctx, q, "meshc_domain", "name", b.catalog, d.DeleteDomains, d.Domains)
		},
		func() (int64, error) {
			return putDocs(ctx, q, "meshc_product", "id", b.catalog, d.Delete, d.Put)
		},
		func() (int64, error) { return b.putMeta(ctx, q, d.DeleteMeta, d.Meta) },
		func() (int64, error) { return b.appendHistory(ctx, q, d.History) },
	} {
		m, err := w()
		if err != nil {
			return 0, err
		}
		n += m
	}
	return n, nil
}

// stale reports the compare-and-swap's failure with the live serial and
// lineage.
func (b *Backend) stale(ctx context.Context, q querier, prev *state.Catalog) error {
	e := &state.StaleError{Expected: prev.Serial, ExpectedLineage: prev.Lineage}
	err := q.QueryRow(ctx, `SELECT serial, lineage FROM meshc_catalog WHERE catalog = $1`, b.catalog).Scan(&e.Live, &e.LiveLineage)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return err
	}
	return e
}

// writeDocs deletes the rows of table whose key is gone from next and
// upserts those that are new or changed.
func writeDocs[V any](ctx context.Context, q querier, table, keyCol, cat string, prev, next map[string]*V) (int64, error) {
	var gone, keys, docs []string
	for k := range prev {
		if _, ok := next[k]; !ok {
			gone = append(gone, k)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(next)) {
		old, had := prev[k]
		if had && reflect.DeepEqual(old, next[k]) { // equal values, equal JSON
			continue
		}
		doc, err := json.Marshal(next[k])
		if err != nil {
			return 0, err
		}
		if had {
			// Values that differ only where JSON does not (a nil map
			// or an empty one) need no write either.
			if was, err := json.Marshal(old); err == nil && bytes.Equal(was, doc) {
				continue
			}
		}
		if err := storable(table, k, doc); err != nil {
			return 0, err
		}
		keys, docs = append(keys, k), append(docs, string(doc))
	}
	return execDocs(ctx, q, table, keyCol, cat, gone, keys, docs)
}

// putDocs deletes the rows of table whose keys are gone and upserts put,
// leaving the other rows alone: a write of part of the catalog.
func putDocs[V any](ctx context.Context, q querier, table, keyCol, cat string, gone []string, put map[string]*V) (int64, error) {
	var keys, docs []string
	for _, k := range slices.Sorted(maps.Keys(put)) {
		doc, err := json.Marshal(put[k])
		if err != nil {
			return 0, err
		}
		if err := storable(table, k, doc); err != nil {
			return 0, err
		}
		keys, docs = append(keys, k), append(docs, string(doc))
	}
	return execDocs(ctx, q, table, keyCol, cat, gone, keys, docs)
}

// storable refuses the document of row k of table if jsonb cannot hold
// it, or if it is JSON null (a nil value), which a read refuses.
func storable(table, k string, doc []byte) error {
	if string(doc) == "null" {
		return fmt.Errorf("%s %q: no document to store (a nil value)", table, k)
	}
	if hasNUL(doc) {
		return fmt.Errorf("%s %q: a string in it holds the character U+0000, which PostgreSQL's jsonb cannot store; remove it from the declaration", table, k)
	}
	return nil
}

// execDocs deletes the rows of table whose keys are gone and upserts the
// docs of keys, batchRows to a statement.
func execDocs(ctx context.Context, q querier, table, keyCol, cat string, gone, keys, docs []string) (int64, error) {
	var n int64
	for chunk := range slices.Chunk(gone, batchRows) {
		tag, err := q.Exec(ctx, fmt.Sprintf(`DELETE FROM %s WHERE catalog = $1 AND %s = ANY($2::text[])`, table, keyCol), cat, chunk)
		if err != nil {
			return 0, err
		}
		n += tag.RowsAffected()
	}
	for i := 0; i < len(keys); i += batchRows {
		j := min(i+batchRows, len(keys))
		tag, err := q.Exec(ctx, fmt.Sprintf(`INSERT INTO %[1]s (catalog, %[2]s, doc)
SELECT $1, k, d::jsonb FROM unnest($2::text[], $3::text[]) AS r(k, d)
ON CONFLICT (catalog, %[2]s) DO UPDATE SET doc = excluded.doc`, table, keyCol), cat, keys[i:j], docs[i:j])
		if err != nil {
			return 0, err
		}
		n += tag.RowsAffected()
	}
	return n, nil
}

// writeMeta deletes the meta rows gone from next and upserts those that
// are new or changed.
func (b *Backend) writeMeta(ctx context.Context, q querier, prev, next map[string]state.ProductMeta) (int64, error) {
	var gone []string
	put := map[string]state.ProductMeta{}
	for id := range prev {
		if _, ok := next[id]; !ok {
			gone = append(gone, id)
		}
	}
	for id, m := range next {
		if old, ok := prev[id]; !ok || old != m {
			put[id] = m
		}
	}
	return b.putMeta(ctx, q, gone, put)
}

// putMeta deletes the meta rows of the products gone and upserts put,
// leaving the other rows alone.
func (b *Backend) putMeta(ctx context.Context, q querier, gone []string, put map[string]state.ProductMeta) (int64, error) {
	var ids, deprecated []string
	var created, updated []int64
	for _, id := range slices.Sorted(maps.Keys(put)) {
		m := put[id]
		ids, created, updated, deprecated = append(ids, id), append(created, m.CreatedSerial), append(updated, m.UpdatedSerial), append(deprecated, m.DeprecatedOn)
	}
	var n int64
	for chunk := range slices.Chunk(gone, batchRows) {
		tag, err := q.Exec(ctx, `DELETE FROM meshc_product_meta WHERE catalog = $1 AND product_id = ANY($2::text[])`, b.catalog, chunk)
		if err != nil {
			return 0, err
		}
		n += tag.RowsAffected()
	}
	for i := 0; i < len(ids); i += batchRows {
		j := min(i+batchRows, len(ids))
		tag, err := q.Exec(ctx, `INSERT INTO meshc_product_meta (catalog, product_id, created_serial, updated_serial, deprecated_on)
SELECT $1, id, c, u, d FROM unnest($2::text[], $3::bigint[], $4::bigint[], $5::text[]) AS r(id, c, u, d)
ON CONFLICT (catalog, product_id) DO UPDATE SET created_serial = excluded.created_serial, updated_serial = excluded.updated_serial, deprecated_on = excluded.deprecated_on`,
			b.catalog, ids[i:j], created[i:j], updated[i:j], deprecated[i:j])
		if err != nil {
			return 0, err
		}
		n += tag.RowsAffected()
	}
	return n, nil
}

// writeHistory keeps the entries prev and next share from the start and
// replaces the rest: an apply appends one.
func (b *Backend) writeHistory(ctx context.Context, q querier, prev, next []state.Entry) (int64, error) {
	keep := 0
	var entries []string
	for i, e := range next {
		doc, err := json.Marshal(e)
		if err != nil {
			return 0, err
		}
		if i == keep && i < len(prev) {
			if was, err := json.Marshal(prev[i]); err == nil && bytes.Equal(was, doc) {
				keep++
				continue
			}
		}
		if hasNUL(doc) {
			return 0, fmt.Errorf("history entry %d: a string in it holds the character U+0000, which PostgreSQL's jsonb cannot store", i)
		}
		entries = append(entries, string(doc))
	}
	var n int64
	if keep < len(prev) {
		tag, err := q.Exec(ctx, `DELETE FROM meshc_history WHERE catalog = $1 AND pos >= $2`, b.catalog, keep)
		if err != nil {
			return 0, err
		}
		n += tag.RowsAffected()
	}
	for i := 0; i < len(entries); i += batchRows {
		j := min(i+batchRows, len(entries))
		tag, err := q.Exec(ctx, `INSERT INTO meshc_history (catalog, pos, entry)
SELECT $1, $2::int + ord::int - 1, e::jsonb FROM unnest($3::text[]) WITH ORDINALITY AS r(e, ord)`,
			b.catalog, keep+i, entries[i:j])
		if err != nil {
			return 0, err
		}
		n += tag.RowsAffected()
	}
	return n, nil
}

// appendHistory appends entries after the stored history, whatever its
// length: each batch continues from the last stored position, read in
// the same statement (through the primary key, not by counting rows).
func (b *Backend) appendHistory(ctx context.Context, q querier, entries []state.Entry) (int64, error) {
	docs := make([]string, 0, len(entries))
	for i, e := range entries {
		doc, err := json.Marshal(e)
		if err != nil {
			return 0, err
		}
		if hasNUL(doc) {
			return 0, fmt.Errorf("new history entry %d: a string in it holds the character U+0000, which PostgreSQL's jsonb cannot store", i)
		}
		docs = append(docs, string(doc))
	}
	var n int64
	for chunk := range slices.Chunk(docs, batchRows) {
		tag, err := q.Exec(ctx, `INSERT INTO meshc_history (catalog, pos, entry)
SELECT $1, (SELECT coalesce(max(pos) + 1, 0) FROM meshc_history WHERE catalog = $1) + ord::int - 1, e::jsonb
FROM unnest($2::text[]) WITH ORDINALITY AS r(e, ord)`, b.catalog, chunk)
		if err != nil {
			return 0, err
		}
		n += tag.RowsAffected()
	}
	return n, nil
}

// hasNUL reports whether a JSON document has a string holding U+0000
// (escaped as \u0000, the only way JSON can hold it), which jsonb refuses.
func hasNUL(doc []byte) bool {
	for i := 0; ; {
		j := bytes.Index(doc[i:], []byte(`\u0000`))
		if j < 0 {
			return false
		}
		j += i
		n := 0 // the backslashes before this one: an odd count escapes it
		for k := j - 1; k >= 0 && doc[k] == '\\'; k-- {
			n++
		}
		if n%2 == 0 {
			return true
		}
		i = j + 1
	}
}
