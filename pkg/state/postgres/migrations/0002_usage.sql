-- Schema version 2: observed usage (meshc usage ingest), next to the
-- catalog, scoped by catalog like every table. Daily aggregates only,
-- never query text; usage is not part of the catalog document, so these
-- rows have no serial and no foreign key to meshc_catalog (events may be
-- ingested into a catalog that has not been applied yet).

-- One row per port, consumer and day: a consumer is a product id or
-- 'job:NAMESPACE/NAME' for a job no product claims.
CREATE TABLE meshc_usage (
	catalog   text NOT NULL,
	product   text NOT NULL,
	port      text NOT NULL,
	consumer  text NOT NULL,
	day       date NOT NULL,
	runs      bigint NOT NULL,
	failed    bigint NOT NULL,
	last_seen timestamptz NOT NULL,
	PRIMARY KEY (catalog, product, port, consumer, day)
);
CREATE INDEX meshc_usage_day ON meshc_usage (catalog, day);

-- The events counted, by their key (12 bytes of SHA-256 over run id,
-- event type and event time), so that an event ingested twice counts once;
-- kept as long as the day's aggregates.
CREATE TABLE meshc_usage_seen (
	catalog text NOT NULL,
	key     bytea NOT NULL,
	day     date NOT NULL,
	PRIMARY KEY (catalog, key)
);
CREATE INDEX meshc_usage_seen_day ON meshc_usage_seen (catalog, day);
