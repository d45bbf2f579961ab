package postgres

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/meshc-dev/meshc/internal/pgtest"
	"github.com/meshc-dev/meshc/pkg/catalog"
	"github.com/meshc-dev/meshc/pkg/state"
	"github.com/meshc-dev/meshc/pkg/state/statetest"
)

// all chooses every product of the index.
func all(idx *state.Index) []string { return slices.Collect(maps.Keys(idx.Products)) }

// indexed returns Linked(40) with products whose entries test the corners
// of IndexEntryOf: duplicate reads, a replacement also read, several
// lineage datasets, an empty lineage, locations that yield no dataset or
// one without a path, a product with no ports at all.
func indexed() *state.Catalog {
	c := statetest.Linked(40)
	c.Products["sales.mixed"] = &catalog.Product{
		ID: "sales.mixed", Name: "mixed", Domain: "sales", Version: "1.0.0", Status: catalog.StatusDeprecated, Classification: "internal",
		Deprecation: &catalog.Deprecation{Sunset: "2027-01-01", ReplacedBy: "sales.orders"},
		InputPorts: map[string]catalog.InputPort{
			"a": {Product: "sales.orders", Port: "events"},
			"b": {Product: "sales.orders", Port: "events"},
			"c": {Product: "d01.p005", Port: "out"},
		},
		OutputPorts: map[string]catalog.OutputPort{
			"lineage": {Type: "table", Location: "s3://bucket/mixed/", Lineage: []catalog.LineageID{{Namespace: "b", Name: "z"}, {Namespace: "a", Name: "y"}, {Namespace: "b", Name: "z"}}},
			"empty":   {Type: "table", Location: "bigquery://proj.ds.mixed", Lineage: []catalog.LineageID{}},
			"plain":   {Type: "table", Location: "warehouse.sales.mixed"},
			"same":    {Type: "table", Location: "warehouse.sales.mixed"},
			"nopath":  {Type: "topic", Location: "kafka://mixed"},
		},
	}
	c.Products["sales.bare"] = &catalog.Product{ID: "sales.bare", Name: "bare", Domain: "sales", Version: "0.1.0", Status: catalog.StatusDraft, Classification: "internal"}
	return c
}

// oddRows returns the ids of b's product rows the index query finds odd.
func oddRows(t *testing.T, b *Backend) []string {
	t.Helper()
	rows, err := conn(t, b).Query(t.Context(), `SELECT id FROM (`+indexQuery+`) AS q(id, odd) WHERE odd ORDER BY id`, b.catalog)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// TestReadPartIndex checks that the index the server computes from the
// rows is the index of the catalog read whole, and that it computed it
// for every row meshc wrote, shipping none of them whole.
func TestReadPartIndex(t *testing.T) {
	c := pgtest.Start(t)
	b := newBackend(t, c, c.NewDatabase(t, ""))
	st := state.NewStore(b)
	mustWrite(t, st, indexed(), 0)
	whole := mustRead(t, st)

	if odd := oddRows(t, b); len(odd) != 0 {
		t.Errorf("rows meshc wrote are odd to the index query: %v", odd)
	}
	part, idx, ok, err := b.ReadPart(t.Context(), all)
	if err != nil || !ok {
		t.Fatalf("ReadPart: ok %v, %v", ok, err)
	}
	want := state.IndexOf(whole)
	if !reflect.DeepEqual(idx, want) {
		for id, e := range want.Products {
			if !e.Equal(idx.Products[id]) {
				t.Errorf("index of %s = %+v, want %+v", id, idx.Products[id], e)
			}
		}
		t.Fatalf("ReadPart's index differs from IndexOf the whole catalog")
	}
	if e := idx.Products["sales.mixed"]; len(e.Datasets) != 4 || len(e.Reads) != 2 || len(e.Locations) != 4 {
		t.Errorf("sales.mixed: %+v; want 2 reads, 4 locations, 4 datasets", e)
	}
	if !reflect.DeepEqual(part.Products, whole.Products) || !reflect.DeepEqual(part.Meta, whole.Meta) || !reflect.DeepEqual(part.Domains, whole.Domains) {
		t.Errorf("ReadPart of every product differs from Read")
	}

	none, idx, ok, err := b.ReadPart(t.Context(), func(*state.Index) []string { return nil })
	if err != nil || !ok || len(none.Products) != 0 || len(none.Meta) != 0 || len(none.Domains) != len(whole.Domains) || len(idx.Products) != len(whole.Products) {
		t.Errorf("ReadPart of no product: ok %v, err %v, %d products, %d meta, %d domains", ok, err, len(none.Products), len(none.Meta), len(none.Domains))
	}
}

// TestReadPartEmpty checks ReadPart of a database with no catalog, and
// of one whose catalog has no products.
func TestReadPartEmpty(t *testing.T) {
	c := pgtest.Start(t)
	b := newBackend(t, c, c.NewDatabase(t, ""))
	got, idx, ok, err := b.ReadPart(t.Context(), all)
	if got != nil || idx != nil || !ok || err != nil {
		t.Errorf("ReadPart of no schema = %v, %v, %v, %v; want nil, nil, true, nil", got, idx, ok, err)
	}
	st := state.NewStore(b)
	mustWrite(t, st, state.New(), 0)
	got, idx, ok, err = b.ReadPart(t.Context(), all)
	if err != nil || !ok || got == nil || len(got.Products) != 0 || idx.Serial != 1 || len(idx.Products) != 0 {
		t.Errorf("ReadPart of an empty catalog = %v, %+v, %v, %v", got, idx, ok, err)
	}
}

// TestReadPartOddRows edits product rows into shapes meshc never writes.
// Those Go's decoder accepts are indexed as a full read decodes them;
// those it refuses fail ReadPart with the corrupt row's error, as Read
// fails, even when the row is not one choose names.
func TestReadPartOddRows(t *testing.T) {
	c := pgtest.Start(t)
	db := c.NewDatabase(t, "")
	const id = "d01.p006" // reads d01.p005, replaced by sales.orders, a port with lineage
	tests := []struct {
		name, set string // set: the doc's new value, an SQL expression of doc
		corrupt   string // what the error says, "" if the row decodes
		sql       bool   // the server indexes the row, not Go
	}{
		{"input ports an array", `jsonb_set(doc, '{inputPorts}', '[{"product": "x"}]')`, "cannot unmarshal array", false},
		{"input ports a string", `jsonb_set(doc, '{inputPorts}', '"sales.orders"')`, "cannot unmarshal string", false},
		{"input port a number", `jsonb_set(doc, '{inputPorts,prev}', '7')`, "cannot unmarshal number", false},
		{"product a number", `jsonb_set(doc, '{inputPorts,prev,product}', '7')`, "cannot unmarshal number", false},
		{"output ports an array", `jsonb_set(doc, '{outputPorts}', '[]')`, "cannot unmarshal array", false},
		{"location an object", `jsonb_set(doc, '{outputPorts,out,location}', '{}')`, "cannot unmarshal object", false},
		{"lineage an object", `jsonb_set(doc, '{outputPorts,out,lineage}', '{"namespace": "a", "name": "b"}')`, "cannot unmarshal object", false},
		{"lineage of strings", `jsonb_set(doc, '{outputPorts,out,lineage}', '["a"]')`, "cannot unmarshal string", false},
		{"deprecation a string", `jsonb_set(doc, '{deprecation}', '"soon"')`, "cannot unmarshal string", false},
		{"domain a number", `jsonb_set(doc, '{domain}', '1')`, "cannot unmarshal number", false},
		{"doc an array", `'[1, 2]'`, "is a array, not a product", false},
		{"doc a string", `'"product"'`, "is a string, not a product", false},
		{"another product", `jsonb_set(doc, '{id}', '"sales.orders"')`, `is the product "sales.orders"`, false},

		{"input ports null", `jsonb_set(doc, '{inputPorts}', 'null')`, "", true},
		{"output ports null", `jsonb_set(doc, '{outputPorts}', 'null')`, "", true},
		{"output port null", `jsonb_set(doc, '{outputPorts,out}', 'null')`, "", false},
		{"input port without product", `doc #- '{inputPorts,prev,product}'`, "", false},
		{"product null", `jsonb_set(doc, '{inputPorts,prev,product}', 'null')`, "", false},
		{"input ports in another case", `(doc - 'inputPorts') || jsonb_build_object('InputPorts', doc->'inputPorts')`, "", false},
		{"product in another case", `jsonb_set(doc, '{inputPorts,prev}', '{"PRODUCT": "sales.orders"}')`, "", false},
		{"output ports folded from Unicode", `(doc - 'outputPorts') || jsonb_build_object('outputPort' || chr(383), doc->'outputPorts')`, "", false}, // U+017F folds to S
		{"lineage in another case", `jsonb_set(doc, '{outputPorts,out}', (doc->'outputPorts'->'out') || '{"LINEAGE": [{"namespace": "x", "name": "y"}]}')`, "", false},
		{"lineage namespace folded from Unicode", `jsonb_set(doc, '{outputPorts,events,lineage}', '[{"namespace": "x", "name": "y", "name\u017fpace": "z"}]')`, "", false},
		{"lineage element null", `jsonb_set(doc, '{outputPorts,out,lineage}', '[null, {"namespace": "n", "name": "x"}]')`, "", false},
		{"lineage empty", `jsonb_set(doc, '{outputPorts,out,lineage}', '[]')`, "", true},
		{"lineage null", `jsonb_set(doc, '{outputPorts,out,lineage}', 'null')`, "", true},
		{"lineage without name", `jsonb_set(doc, '{outputPorts,out,lineage}', '[{"namespace": "n"}]')`, "", false},
		{"replacement in another case", `jsonb_set(doc, '{deprecation}', '{"sunset": "2027-01-01", "ReplacedBy": "sales.returns"}')`, "", false},
		{"no domain", `doc - 'domain'`, "", false},
		{"no id", `doc - 'id'`, "", true},
		{"unknown keys", `doc || '{"extra": [1], "ids": {}}'`, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newBackend(t, c, db)
			st := state.NewStore(b)
			mustWrite(t, st, indexed(), 0)
			exec(t, b, `UPDATE meshc_product SET doc = `+tt.set+` WHERE catalog = $1 AND id = $2`, b.catalog, id)
			want := []string{id}
			if tt.sql {
				want = nil
			}
			if odd := oddRows(t, b); !slices.Equal(odd, want) {
				t.Errorf("odd rows %v, want %v", odd, want)
			}
			choose := func(*state.Index) []string { return []string{"sales.orders"} }
			if tt.corrupt == "" {
				// the odd row too, whose entry ReadPart checks against it
				choose = func(*state.Index) []string { return []string{"sales.orders", id} }
			}
			part, idx, ok, err := b.ReadPart(t.Context(), choose)
			whole, rerr := st.Read(t.Context())
			if tt.corrupt != "" {
				for op, err := range map[string]error{"ReadPart": err, "Read": rerr} {
					ce, isCorrupt := errors.AsType[*state.CorruptError](err)
					if !isCorrupt || !strings.Contains(ce.Path, `table meshc_product, row "`+id+`"`) || !strings.Contains(ce.Reason, tt.corrupt) {
						t.Errorf("%s: %v; want the corrupt row %s, saying %q", op, err, id, tt.corrupt)
					}
				}
				if _, err := st.ReadPart(t.Context(), choose); err == nil {
					t.Errorf("Store.ReadPart read a catalog with a corrupt row")
				}
				return
			}
			if rerr != nil {
				t.Fatalf("Read: %v", rerr)
			}
			if err != nil || !ok {
				t.Fatalf("ReadPart: ok %v, %v", ok, err)
			}
			if want := state.IndexOf(whole); !reflect.DeepEqual(idx, want) {
				t.Errorf("index of %s = %+v, want %+v", id, idx.Products[id], want.Products[id])
				for k, e := range want.Products {
					if g := idx.Products[k]; !reflect.DeepEqual(g, e) {
						t.Errorf("  differs at %s: %#v, want %#v", k, g, e)
					}
				}
			}
			if !reflect.DeepEqual(part.Products, state.Part(whole, choose).Products) || len(part.Products) != 2 {
				t.Errorf("ReadPart's products differ from Part of the whole catalog")
			}
		})
	}
}

// TestNotData checks which errors of the index query leave ReadPart
// without an index (the Store then reads whole) and which fail it.
func TestNotData(t *testing.T) {
	for _, tt := range []struct {
		err    error
		usable bool // ReadPart returns no error, ok false
	}{
		{&pgconn.PgError{Code: "22023"}, true},                         // invalid_parameter_value
		{&pgconn.PgError{Code: "42883"}, true},                         // undefined_function: before PostgreSQL 12
		{&pgconn.PgError{Code: "0A000"}, true},                         // feature_not_supported
		{fmt.Errorf("scan: %w", &pgconn.PgError{Code: "22P02"}), true}, // wrapped
		{&pgconn.PgError{Code: "57014"}, false},                        // query_canceled
		{&pgconn.PgError{Code: "08006"}, false},                        // connection_failure
		{&pgconn.PgError{}, false},
		{context.Canceled, false},
	} {
		if got := notData(tt.err); (got == nil) != tt.usable {
			t.Errorf("notData(%v) = %v", tt.err, got)
		}
	}
}
