// Package pgtest starts a private PostgreSQL server for tests: a cluster
// made by initdb in a temporary directory, run by pg_ctl on a free
// loopback port with its unix socket in that directory, and stopped
// (pg_ctl stop -m immediate) and removed when the test binary ends.
//
// One cluster serves the whole test binary: the package's TestMain calls
// Main, and each test asks Start for the cluster and makes its own
// database (Cluster.NewDatabase) or scope inside one. Debian's postgresql
// package provides the binaries (under /usr/lib/postgresql/*/bin); as root,
// the server runs as the postgres user, since PostgreSQL refuses to run as
// root. Cluster.Pooler puts PgBouncer (Debian's pgbouncer) in front of it
// in transaction mode. Without the binaries a test is skipped, except
// under CI (the environment variable CI set), where a missing server or
// pooler fails the test.
//
// It is imported by tests only.
package pgtest
