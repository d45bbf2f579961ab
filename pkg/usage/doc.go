// Package usage observes how data products are used: it reads OpenLineage
// run events (NDJSON, or POST /api/v1/lineage through Handler), resolves
// each input dataset to the output port that publishes it and each job to
// the product that reads with it, and keeps daily aggregates only (port,
// consumer, day, runs, failed runs, last seen; never query text) in the
// live catalog's backend (state.UsageStore). Report joins them with the
// declared consumers: active, shadow and stale consumers, unused ports,
// readers of deprecated and retired ports.
package usage
