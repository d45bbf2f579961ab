// Package postgres keeps live catalogs in a PostgreSQL database, several
// meshes to a database: each catalog has a name (the URL's catalog=
// parameter, "default" if none) that scopes every row. A catalog is rows,
// not one blob: its format, lineage and serial in meshc_catalog, one row
// per domain (meshc_domain), per product (meshc_product, the product's JSON
// in a jsonb column) and its meta (meshc_product_meta), and one per history
// entry (meshc_history). A write changes only the rows that differ from
// the catalog it replaces, in one transaction, with the compare-and-swap on
// serial in the UPDATE of the catalog's row.
//
// ReadPart (state.PartReader) reads part of a catalog for the check of one
// domain: the server computes each product's index entry from its jsonb
// row, in the same snapshot as the products then read, so there is no
// index to keep and none can be stale; a row of a shape meshc never
// writes is decoded in Go instead, as Read decodes it. Under the lock the
// session is a state.PartSession: a merge reads its part in the lock's
// transaction and writes back only its delta (the catalog row, with the
// compare-and-swap, and the rows of the products, meta and domains it puts
// or removes, its history appended after the stored entries), so a merge
// to one domain writes that domain's rows, whatever the catalog's size.
//
// The lock is a transaction-scoped advisory lock keyed by the catalog's
// name, so that it works behind a pooler in transaction mode and dies with
// its holder's connection. Lock begins a transaction and takes it; the
// session reads and writes in that transaction, and a write commits it, so
// that it is durable when Write returns, as the Store promises (the engine
// reports an apply from Write, not from Unlock). The same simple query
// begins the next transaction and takes the lock again, holding it at
// session level across the COMMIT so that it is never free in between;
// Unlock commits the last one. The holder (who, pid, host, since) is in
// the meshc_lock row, committed with the lock's first transaction, which
// others read when they fail to get the lock, checked against pg_locks;
// that row is informative only: a row left by a holder whose connection
// dropped blocks no one.
//
// The schema is made and migrated by the versioned SQL files embedded from
// migrations/, recorded in meshc_schema_version; a database whose schema is
// newer than this meshc knows is refused (*SchemaError). The password is
// never in the URL: it comes from PGPASSWORD or a pgpass file, and is
// redacted from every message.
//
// It registers itself as "postgres" with package state. It only keeps the
// document: compare-and-swap, lineage and the refusal to overwrite a
// corrupt catalog are state's. It imports nothing of meshc but pkg/state
// and pkg/catalog.
package postgres
