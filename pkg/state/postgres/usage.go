package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/meshc-dev/meshc/pkg/state"
)

var _ state.UsageStore = (*Backend)(nil)

// AddUsage counts the events whose key meshc_usage_seen lacks, in one
// transaction: the keys are inserted first (a key another ingest holds
// waits for it and is then skipped), the new events' aggregates upserted,
// and days before keepFrom deleted. It creates the schema if needed.
func (b *Backend) AddUsage(ctx context.Context, events []state.UsageEvent, keepFrom string) (int, error) {
	conn, err := b.connect(ctx)
	if err != nil {
		return 0, err
	}
	defer closeConn(conn)
	if _, err := b.schema(ctx, conn, true); err != nil {
		return 0, err
	}
	byKey := make(map[state.UsageKey]*state.UsageEvent, len(events))
	keys := make([][]byte, 0, len(events))
	days := make([]string, 0, len(events))
	for i := range events {
		e := &events[i]
		day := e.Day()
		if keepFrom != "" && day < keepFrom {
			continue
		}
		if _, dup := byKey[e.Key]; dup {
			continue
		}
		byKey[e.Key] = e
		keys = append(keys, e.Key[:])
		days = append(days, day)
	}
	added := 0
	err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `INSERT INTO meshc_usage_seen (catalog, key, day)
SELECT $1, k, d::date FROM unnest($2::bytea[], $3::text[]) AS t(k, d)
ON CONFLICT DO NOTHING RETURNING key`, b.catalog, keys, days)
		if err != nil {
			return err
		}
		type aggKey struct{ product, port, consumer, day string }
		aggs := map[aggKey]*state.UsageAggregate{}
		for rows.Next() {
			var k []byte
			if err := rows.Scan(&k); err != nil {
				rows.Close()
				return err
			}
			e := byKey[state.UsageKey(k)]
			if e == nil {
				continue
			}
			added++
			day := e.Day()
			for _, r := range e.Reads {
				ak := aggKey{r.Product, r.Port, r.Consumer, day}
				a := aggs[ak]
				if a == nil {
					a = &state.UsageAggregate{UsageRead: r, Day: day}
					aggs[ak] = a
				}
				a.Runs++
				if e.Failed {
					a.Failed++
				}
				if e.Time.After(a.LastSeen) {
					a.LastSeen = e.Time
				}
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		var products, ports, consumers, aday []string
		var runs, failed []int64
		var last []time.Time
		for _, a := range aggs {
			products, ports, consumers, aday = append(products, a.Product), append(ports, a.Port), append(consumers, a.Consumer), append(aday, a.Day)
			runs, failed, last = append(runs, a.Runs), append(failed, a.Failed), append(last, a.LastSeen)
		}
		if len(products) > 0 {
			if _, err := tx.Exec(ctx, `INSERT INTO meshc_usage (catalog, product, port, consumer, day, runs, failed, last_seen)
SELECT $1, p, o, c, d::date, r, f, l FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::bigint[], $8::timestamptz[]) AS t(p, o, c, d, r, f, l)
ON CONFLICT (catalog, product, port, consumer, day) DO UPDATE SET
	runs = meshc_usage.runs + excluded.runs,
	failed = meshc_usage.failed + excluded.failed,
	last_seen = greatest(meshc_usage.last_seen, excluded.last_seen)`,
				b.catalog, products, ports, consumers, aday, runs, failed, last); err != nil {
				return err
			}
		}
		if keepFrom != "" {
			for _, table := range []string{"meshc_usage", "meshc_usage_seen"} {
				if _, err := tx.Exec(ctx, `DELETE FROM `+table+` WHERE catalog = $1 AND day < $2::date`, b.catalog, keepFrom); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return 0, b.fail("add usage to live catalog", err)
	}
	return added, nil
}

// ReadUsage reads the aggregates from since; a database without meshc's
// schema (or one before usage) has none, and the read creates nothing.
func (b *Backend) ReadUsage(ctx context.Context, since string) ([]state.UsageAggregate, error) {
	conn, err := b.connect(ctx)
	if err != nil {
		return nil, err
	}
	defer closeConn(conn)
	v, err := version(ctx, conn)
	switch {
	case err != nil:
		return nil, b.fail("read usage of live catalog", err)
	case v > SchemaVersion:
		return nil, &SchemaError{Where: b.Describe(), Have: v, Know: SchemaVersion}
	case v < 2:
		return []state.UsageAggregate{}, nil
	}
	if since == "" {
		since = "0001-01-01"
	}
	rows, err := conn.Query(ctx, `SELECT product, port, consumer, to_char(day, 'YYYY-MM-DD'), runs, failed, last_seen
FROM meshc_usage WHERE catalog = $1 AND day >= $2::date ORDER BY product, port, consumer, day`, b.catalog, since)
	if err != nil {
		return nil, b.fail("read usage of live catalog", err)
	}
	defer rows.Close()
	out := []state.UsageAggregate{}
	for rows.Next() {
		var a state.UsageAggregate
		if err := rows.Scan(&a.Product, &a.Port, &a.Consumer, &a.Day, &a.Runs, &a.Failed, &a.LastSeen); err != nil {
			return nil, b.fail("read usage of live catalog", err)
		}
		a.LastSeen = a.LastSeen.UTC()
		out = append(out, a)
	}
	return out, b.fail("read usage of live catalog", rows.Err())
}
