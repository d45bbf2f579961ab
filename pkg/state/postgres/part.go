package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
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
// finishes the entry with state.IndexEntryOf (which derives a port's
// dataset from its location, and sorts). A row of any other shape (not a
// JSON object where one is expected, a field of another type, a key Go's
// decoder would match case-insensitively) comes whole and is decoded as a
// full read decodes it: either its entry is then IndexEntryOf's, or the
// row is corrupt and the error says which row and why. ok is false if
// the server could not compute the index (a data error): the Store then
// reads the catalog whole, which reports what is wrong.
func (b *Backend) index(ctx context.Context, q querier, c *state.Catalog) (*state.Index, bool, error) {
	idx := &state.Index{Serial: c.Serial, Lineage: c.Lineage, Products: map[string]state.IndexEntry{}}
	rows, err := q.Query(ctx, indexQuery, b.catalog)
	if err != nil {
		return nil, false, notData(err)
	}
	var (
		id, domain       string
		odd              bool
		doc, lineage     []byte
		reads, locations []string
	)
	_, err = pgx.ForEachRow(rows, []any{&id, &odd, &doc, &domain, &reads, &locations, &lineage}, func() error {
		if odd {
			p, err := b.decodeProduct(id, doc)
			if err != nil {
				return err
			}
			idx.Products[id] = state.IndexEntryOf(p)
			return nil
		}
		var lineages [][]catalog.LineageID
		if lineage != nil {
			if err := json.Unmarshal(lineage, &lineages); err != nil || len(lineages) != len(locations) {
				return errBadIndex
			}
		}
		p := catalog.Product{Domain: domain}
		if len(reads) > 0 {
			p.InputPorts = make(map[string]catalog.InputPort, len(reads))
			for i, r := range reads {
				p.InputPorts[strconv.Itoa(i)] = catalog.InputPort{Product: r}
			}
		}
		p.OutputPorts = make(map[string]catalog.OutputPort, len(locations))
		for i, loc := range locations {
			port := catalog.OutputPort{Location: loc}
			if lineages != nil {
				port.Lineage = lineages[i]
			}
			p.OutputPorts[strconv.Itoa(i)] = port
		}
		idx.Products[id] = state.IndexEntryOf(&p)
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

// errBadIndex is a row of the index query that does not hold together.
var errBadIndex = errors.New("the index query returned a row that does not hold together")

// notData returns err unless it is the server's data exception (SQLSTATE
// class 22, such as a jsonb function given a value of another type),
// which leaves the index unusable but is no failure of the read.
func notData(err error) error {
	if pe, ok := errors.AsType[*pgconn.PgError](err); ok && strings.HasPrefix(pe.Code, "22") {
		return nil
	}
	return err
}

// indexQuery returns, for each product row of the catalog $1: its id;
// odd, true if the row is not of the shape the rest of the row is computed
// for; the doc, only if odd; and, if not odd, its domain, the products it
// reads (its input ports' and its replacement), and its output ports'
// locations and lineages, in the same order, the lineages NULL when no
// port has one. Every jsonb function is given a value of the type it
// takes, whatever the row holds, so that no row makes the query fail.
var indexQuery = func() string {
	ifType := func(typ, x, empty string) string {
		return fmt.Sprintf(`CASE WHEN jsonb_typeof(%s) = '%s' THEN %s ELSE '%s'::jsonb END`, x, typ, x, empty)
	}
	obj := func(x string) string { return ifType("object", x, "{}") }
	arr := func(x string) string { return ifType("array", x, "[]") }
	// is: x is absent or JSON null, or of one of the types.
	is := func(x string, types ...string) string {
		return fmt.Sprintf(`coalesce(jsonb_typeof(%s), 'null') IN ('null', '%s')`, x, strings.Join(types, "', '"))
	}
	// str: x is a string.
	str := func(x string) string { return fmt.Sprintf(`jsonb_typeof(%s) IS NOT DISTINCT FROM 'string'`, x) }
	// badKeys: object x has a key other than the names that Go's decoder
	// would take for one of them (it matches a field's name without
	// regard to case, and Unicode letters may fold to ASCII ones).
	badKeys := func(x string, names ...string) string {
		lower := make([]string, len(names))
		for i, n := range names {
			lower[i] = strings.ToLower(n)
		}
		return fmt.Sprintf(`EXISTS (SELECT FROM jsonb_object_keys(%s) AS key WHERE key <> ALL ('{%s}'::text[]) AND (lower(key COLLATE "C") = ANY ('{%s}'::text[]) OR octet_length(key) <> length(key)))`,
			obj(x), strings.Join(names, ","), strings.Join(lower, ","))
	}
	odd := strings.Join([]string{
		`jsonb_typeof(doc) <> 'object'`,
		badKeys("doc", "id", "domain", "inputPorts", "outputPorts", "deprecation"),
		`(doc->'id' IS NOT NULL AND NOT (` + str("doc->'id'") + ` AND doc->>'id' IN ('', id)))`,
		`NOT ` + str("doc->'domain'"),
		`NOT ` + is("ins", "object"),
		`NOT ` + is("outs", "object"),
		`NOT ` + is("dep", "object"),
		`NOT ` + is("dep->'replacedBy'", "string"),
		badKeys("dep", "replacedBy"),
		`EXISTS (SELECT FROM jsonb_each(` + obj("ins") + `) AS i(name, port) WHERE NOT ` + str("i.port->'product'") + ` OR ` + badKeys("i.port", "product") + `)`,
		`EXISTS (SELECT FROM jsonb_each(` + obj("outs") + `) AS o(name, port) WHERE NOT ` + str("o.port->'location'") +
			` OR NOT ` + is("o.port->'lineage'", "array") + ` OR ` + badKeys("o.port", "location", "lineage") +
			` OR EXISTS (SELECT FROM jsonb_array_elements(` + arr("o.port->'lineage'") + `) AS l(id) WHERE NOT ` + str("l.id->'namespace'") +
			` OR NOT ` + str("l.id->'name'") + ` OR ` + badKeys("l.id", "namespace", "name") + `))`,
	}, "\n\t\tOR ")
	// Each level is a subquery with OFFSET 0, which keeps the planner
	// from pulling it up into the next: its values are computed once a
	// row, not once a reference. The first detoasts each doc once (#>
	// with no path returns it whole).
	return `SELECT id, odd, CASE WHEN odd THEN doc END, coalesce(doc->>'domain', ''),
	CASE WHEN NOT odd THEN ARRAY(
		SELECT i.port->>'product' FROM jsonb_each(` + obj("ins") + `) AS i(name, port)
		UNION ALL SELECT dep->>'replacedBy' WHERE dep->>'replacedBy' <> ''
	) END,
	o.locations, o.lineage
FROM (
	SELECT id, doc, ins, outs, dep, ` + odd + ` AS odd
	FROM (
		SELECT id, doc, doc->'inputPorts' AS ins, doc->'outputPorts' AS outs, doc->'deprecation' AS dep
		FROM (SELECT id, doc #> '{}' AS doc FROM meshc_product WHERE catalog = $1 OFFSET 0) AS p
		OFFSET 0
	) AS p
	OFFSET 0
) AS p
CROSS JOIN LATERAL (
	SELECT array_agg(o.port->>'location' ORDER BY o.name) AS locations,
		CASE WHEN bool_or(jsonb_typeof(o.port->'lineage') = 'array' AND o.port->'lineage' <> '[]'::jsonb)
			THEN jsonb_agg(coalesce(o.port->'lineage', 'null'::jsonb) ORDER BY o.name) END AS lineage
	FROM jsonb_each(` + obj("outs") + `) AS o(name, port)
	WHERE NOT p.odd
) AS o`
}()
