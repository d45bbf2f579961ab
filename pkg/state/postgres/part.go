package postgres

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/meshc-dev/meshc/pkg/catalog"
	"github.com/meshc-dev/meshc/pkg/state"
)

var _ state.PartReader = (*Backend)(nil)

// ReadPart reads the catalog's index from its product rows, calls choose
// with it and reads the products it names, their meta and every domain,
// all in one read-only transaction with one snapshot. The index is
// computed by the server from each row's jsonb (see indexQuery), so only a
// few hundred bytes a product cross the wire, and it can never be stale:
// it is the rows as they are. A catalog with no rows yet is nil, ok.
func (b *Backend) ReadPart(ctx context.Context, choose state.Choose) (*state.Catalog, *state.Index, bool, error) {
	conn, err := b.connect(ctx)
	if err != nil {
		return nil, nil, false, err
	}
	defer closeConn(conn)
	exists, err := b.schema(ctx, conn, false)
	if err != nil || !exists {
		return nil, nil, err == nil, err
	}
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, nil, false, b.fail("read live catalog", err)
	}
	defer tx.Rollback(context.Background())
	c, idx, ok, err := b.loadPart(ctx, tx, choose)
	return c, idx, ok, b.fail("read live catalog", err)
}

// loadPart is ReadPart in the transaction q.
func (b *Backend) loadPart(ctx context.Context, q querier, choose state.Choose) (*state.Catalog, *state.Index, bool, error) {
	c := &state.Catalog{
		Domains:  map[string]*catalog.Domain{},
		Products: map[string]*catalog.Product{},
		Meta:     map[string]state.ProductMeta{},
		History:  []state.Entry{},
	}
	err := q.QueryRow(ctx, `SELECT format_version, lineage, serial FROM meshc_catalog WHERE catalog = $1`, b.catalog).
		Scan(&c.FormatVersion, &c.Lineage, &c.Serial)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil, true, nil
	}
	if err != nil {
		return nil, nil, false, err
	}
	idx, ok, err := b.index(ctx, q, c)
	if err != nil || !ok {
		return nil, nil, ok, err
	}
	ids := choose(idx)
	if ids == nil {
		ids = []string{} // an empty array, not NULL
	}
	if err := b.loadDomains(ctx, q, c); err != nil {
		return nil, nil, false, err
	}
	trusted := true
	if err := eachRow(ctx, q, `SELECT id, doc FROM meshc_product WHERE catalog = $1 AND id = ANY($2::text[]) ORDER BY id`, func(id string, doc []byte) error {
		p, err := b.decodeProduct(id, doc)
		if err != nil {
			return err
		}
		// The index and the product come from one snapshot: they can only
		// differ if the server read the row otherwise than Go does.
		if !state.IndexEntryOf(p).Equal(idx.Products[id]) {
			trusted = false
		}
		c.Products[id] = p
		return nil
	}, b.catalog, ids); err != nil {
		return nil, nil, false, err
	}
	if !trusted {
		return nil, nil, false, nil
	}
	if err := b.loadMeta(ctx, q, c, `SELECT product_id, created_serial, updated_serial, deprecated_on FROM meshc_product_meta WHERE catalog = $1 AND product_id = ANY($2::text[]) ORDER BY product_id`, b.catalog, ids); err != nil {
		return nil, nil, false, err
	}
	return c, idx, true, nil
}

// index computes the Index of the catalog c heads from its product rows.
// The server returns, for a row of the shape meshc writes, its domain,
// what it reads, its output ports' locations and their lineage, and Go
// finishes the entry as state.IndexEntryOf does (deriving a port's
// dataset from its location, sorting). A row of any other shape (not a
// JSON object where one is expected, a field of another type, a key the
// product's Go types do not name) comes whole and is decoded as a full
// read decodes it: either its entry is then IndexEntryOf's, or the row is
// corrupt and the error says which row and why. ok is false if the server
// refused the index query (see notData): the Store then reads the
// catalog whole, which reports what is wrong.
func (b *Backend) index(ctx context.Context, q querier, c *state.Catalog) (*state.Index, bool, error) {
	idx := &state.Index{Serial: c.Serial, Lineage: c.Lineage, Products: map[string]state.IndexEntry{}}
	rows, err := q.Query(ctx, indexQuery, b.catalog)
	if err != nil {
		return nil, false, notData(err)
	}
	var (
		id, domain                     string
		odd                            bool
		doc, reads, locations, lineage []byte
		replacedBy                     *string
	)
	_, err = pgx.ForEachRow(rows, []any{&id, &odd, &doc, &domain, &reads, &replacedBy, &locations, &lineage}, func() error {
		if odd {
			p, err := b.decodeProduct(id, doc)
			if err != nil {
				return err
			}
			idx.Products[id] = state.IndexEntryOf(p)
			return nil
		}
		e := state.IndexEntry{Domain: domain}
		if err := json.Unmarshal(reads, &e.Reads); err != nil {
			return errBadIndex
		}
		if replacedBy != nil {
			e.Replacement = *replacedBy
		}
		if locations != nil {
			if err := json.Unmarshal(locations, &e.Locations); err != nil {
				return errBadIndex
			}
		}
		var lineages [][]catalog.LineageID
		if lineage != nil {
			if err := json.Unmarshal(lineage, &lineages); err != nil || len(lineages) != len(e.Locations) {
				return errBadIndex
			}
		}
		for i, loc := range e.Locations {
			port := catalog.OutputPort{Location: loc}
			if lineages != nil {
				port.Lineage = lineages[i]
			}
			e.Datasets = append(e.Datasets, port.Datasets()...)
		}
		e.Reads = sortedSet(e.Reads, cmp.Compare)
		e.Locations = sortedSet(e.Locations, cmp.Compare)
		e.Datasets = sortedSet(e.Datasets, func(a, b catalog.LineageID) int {
			return cmp.Or(cmp.Compare(a.Namespace, b.Namespace), cmp.Compare(a.Name, b.Name))
		})
		idx.Products[id] = e
		return nil
	})
	switch {
	case err == nil:
		return idx, true, nil
	case errors.Is(err, errBadIndex):
		return nil, false, nil
	}
	if _, corrupt := errors.AsType[*state.CorruptError](err); corrupt {
		return nil, false, err
	}
	return nil, false, notData(err)
}

// sortedSet sorts s and drops its repeats, nil if empty, as
// state.IndexEntryOf does.
func sortedSet[T any](s []T, compare func(a, b T) int) []T {
	if len(s) == 0 {
		return nil
	}
	slices.SortFunc(s, compare)
	return slices.CompactFunc(s, func(a, b T) bool { return compare(a, b) == 0 })
}

// errBadIndex is a row of the index query that does not hold together.
var errBadIndex = errors.New("the index query returned a row that does not hold together")

// notData returns err unless the server refused the index query itself:
// a data exception (SQLSTATE class 22, such as a jsonb function given a
// value of another type), or a server that lacks what it uses (classes 42
// and 0A: jsonpath needs PostgreSQL 12). The index is then unusable, but
// the catalog can still be read whole.
func notData(err error) error {
	if pe, ok := errors.AsType[*pgconn.PgError](err); ok && slices.Contains([]string{"22", "42", "0A"}, pe.Code[:min(2, len(pe.Code))]) {
		return nil
	}
	return err
}

// jsonNames returns the JSON names of the fields of the struct v.
func jsonNames(v any) []string {
	var names []string
	for f := range reflect.TypeOf(v).Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" || !catalogName.MatchString(name) {
			panic(fmt.Sprintf("field %s of %T: no plain JSON name", f.Name, v))
		}
		names = append(names, name)
	}
	return names
}

// indexQuery returns, for each product row of the catalog $1: its id;
// odd, true if the row is not of the shape meshc writes, for which the
// rest is computed; the doc, only if odd; its domain; the products its
// input ports read (a JSON array) and the one its deprecation names as its
// replacement; its output ports' locations (a JSON array), and their
// lineages in the same order (a JSON array, NULL when no port has one).
// JSON arrays, not SQL ones: pgx decodes those from text, at more cost.
//
// The shape meshc writes is JSON objects where the product's Go types
// have structs and maps, with no key those structs do not name (so no key
// that Go's decoder, which ignores case, would take for another), and
// strings where IndexEntryOf reads them. Every function is given a value
// of the type it takes, whatever the row holds, so that no row makes the
// query fail. It runs jsonb_each once a row and otherwise jsonpath and
// operators that do not copy the product's JSON: about 10 µs a product.
var indexQuery = func() string {
	ifType := func(typ, x, empty string) string {
		return fmt.Sprintf(`CASE WHEN jsonb_typeof(%s) = '%s' THEN %s ELSE '%s'::jsonb END`, x, typ, x, empty)
	}
	obj := func(x string) string { return ifType("object", x, "{}") }
	arr := func(x string) string { return ifType("array", x, "[]") }
	// is: x is absent or JSON null, or of the type.
	is := func(x, typ string) string {
		return fmt.Sprintf(`coalesce(jsonb_typeof(%s), 'null') IN ('null', '%s')`, x, typ)
	}
	// str: x is a string.
	str := func(x string) string { return fmt.Sprintf(`jsonb_typeof(%s) IS NOT DISTINCT FROM 'string'`, x) }
	// extra: object x has a key the struct v does not name.
	extra := func(x string, v any) string {
		return fmt.Sprintf(`(%s - '{%s}'::text[]) <> '{}'::jsonb`, obj(x), strings.Join(jsonNames(v), ","))
	}
	// some: an item of x matches the jsonpath (lax, errors as matches).
	some := func(x, path string) string {
		return fmt.Sprintf(`coalesce(jsonb_path_exists(%s, '%s', '{}', true), true)`, x, path)
	}
	// keysOf: a jsonpath filter matching an object with a key other than
	// those of the struct v.
	keysOf := func(v any) string {
		var conds []string
		for _, k := range jsonNames(v) {
			conds = append(conds, fmt.Sprintf(`@.key != "%s"`, k))
		}
		return `exists(@.keyvalue() ? (` + strings.Join(conds, " && ") + `))`
	}
	row := strings.Join([]string{
		`jsonb_typeof(doc) <> 'object'`,
		extra("doc", catalog.Product{}),
		`(doc->'id' IS NOT NULL AND NOT (` + str("doc->'id'") + ` AND doc->>'id' IN ('', id)))`,
		`NOT ` + str("doc->'domain'"),
		`NOT ` + is("ins", "object"),
		`NOT ` + is("outs", "object"),
		`NOT ` + is("dep", "object"),
		extra("dep", catalog.Deprecation{}),
		`NOT ` + is("dep->'replacedBy'", "string"),
		some(obj("ins"), `lax $.*.type() ? (@ != "object")`),
		some(obj("ins"), `lax $.* ? (!(@.product.type() == "string") || `+keysOf(catalog.InputPort{})+`)`),
	}, "\n\t\tOR ")
	port := strings.Join([]string{
		`jsonb_typeof(o.port) <> 'object'`,
		extra("o.port", catalog.OutputPort{}),
		`NOT ` + str("o.port->'location'"),
		`NOT ` + is("o.port->'lineage'", "array"),
		`CASE WHEN o.port->'lineage' IS NULL THEN false ELSE ` +
			some(arr("o.port->'lineage'"), `strict $[*].type() ? (@ != "object")`) + ` OR ` +
			some(arr("o.port->'lineage'"), `lax $[*] ? (!(@.namespace.type() == "string") || !(@.name.type() == "string") || `+keysOf(catalog.LineageID{})+`)`) + ` END`,
	}, "\n\t\tOR ")
	// Each level is a subquery with OFFSET 0, which keeps the planner
	// from pulling it up into the next: its values are computed once a
	// row, not once a reference. The first detoasts each doc once (#>
	// with no path returns it whole).
	return `SELECT id, odd, CASE WHEN odd THEN doc END, coalesce(doc->>'domain', ''),
	jsonb_path_query_array(` + obj("ins") + `, 'lax $.*.product'), dep->>'replacedBy',
	CASE WHEN NOT odd THEN locations END, CASE WHEN NOT odd THEN lineage END
FROM (
	SELECT id, doc, ins, dep, p.odd OR coalesce(o.odd, false) AS odd, o.locations, o.lineage
	FROM (
		SELECT id, doc, ins, outs, dep, ` + row + ` AS odd
		FROM (
			SELECT id, doc, doc->'inputPorts' AS ins, doc->'outputPorts' AS outs, doc->'deprecation' AS dep
			FROM (SELECT id, doc #> '{}' AS doc FROM meshc_product WHERE catalog = $1 OFFSET 0) AS p
			OFFSET 0
		) AS p
		OFFSET 0
	) AS p
	-- Both arrays in the order jsonb_each returns the ports: one
	-- aggregate's input is the other's.
	CROSS JOIN LATERAL (
		SELECT bool_or(` + port + `) AS odd,
			jsonb_agg(o.port->'location') AS locations,
			CASE WHEN bool_or(jsonb_typeof(o.port->'lineage') = 'array' AND o.port->'lineage' <> '[]'::jsonb)
				THEN jsonb_agg(coalesce(o.port->'lineage', 'null'::jsonb)) END AS lineage
		FROM jsonb_each(` + obj("outs") + `) AS o(name, port)
	) AS o
	OFFSET 0
) AS p`
}()
