-- Schema version 1 of meshc's live catalogs. Every table is scoped by
-- catalog, the name of one mesh's live catalog (the URL's catalog=), so
-- several meshes can share a database.

-- One row per catalog: the document's format, lineage and serial.
CREATE TABLE meshc_catalog (
	catalog        text PRIMARY KEY,
	format_version text NOT NULL,
	lineage        text NOT NULL,
	serial         bigint NOT NULL,
	updated_at     timestamptz NOT NULL DEFAULT now()
);

-- One row per domain, its JSON (pkg/catalog's Domain) in doc.
CREATE TABLE meshc_domain (
	catalog text NOT NULL REFERENCES meshc_catalog ON DELETE CASCADE,
	name    text NOT NULL,
	doc     jsonb NOT NULL,
	PRIMARY KEY (catalog, name)
);

-- One row per product, its JSON (pkg/catalog's Product) in doc.
CREATE TABLE meshc_product (
	catalog text NOT NULL REFERENCES meshc_catalog ON DELETE CASCADE,
	id      text NOT NULL,
	doc     jsonb NOT NULL,
	PRIMARY KEY (catalog, id)
);

-- What the catalog remembers about a product beyond its declaration.
CREATE TABLE meshc_product_meta (
	catalog        text NOT NULL REFERENCES meshc_catalog ON DELETE CASCADE,
	product_id     text NOT NULL,
	created_serial bigint NOT NULL,
	updated_serial bigint NOT NULL,
	deprecated_on  text NOT NULL DEFAULT '',
	PRIMARY KEY (catalog, product_id)
);

-- The applied plans, oldest first (pos from 0), each entry's JSON in entry.
CREATE TABLE meshc_history (
	catalog text NOT NULL REFERENCES meshc_catalog ON DELETE CASCADE,
	pos     integer NOT NULL,
	entry   jsonb NOT NULL,
	PRIMARY KEY (catalog, pos)
);

-- Who holds a catalog's lock, for others to read. Informative only: the
-- lock itself is a transaction-scoped advisory lock, and a row left by a
-- holder whose connection dropped blocks no one.
CREATE TABLE meshc_lock (
	catalog     text PRIMARY KEY,
	who         text NOT NULL,
	pid         integer NOT NULL,
	host        text NOT NULL,
	since       timestamptz NOT NULL,
	backend_pid integer NOT NULL,
	token       text NOT NULL
);
