package main

import (
	"fmt"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/meshc-dev/meshc/internal/pgtest"
)

// withCluster runs the tests, then stops the PostgreSQL cluster the
// scripts started, if any.
type withCluster struct{ m *testing.M }

func (w withCluster) Run() int { return pgtest.Main(w.m) }

// condition is the scripts' [postgres]: a PostgreSQL server to test
// against (required under CI: there a missing one fails the script).
func condition(cond string) (bool, error) {
	if cond == "postgres" {
		return pgtest.Available()
	}
	return false, fmt.Errorf("unknown condition %q", cond)
}

// pgDB makes a fresh database on the tests' cluster and exports its URL
// as $PGURL (superuser, no password; add &catalog=NAME) and its name as
// $PGDB: "pg-db".
func pgDB(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: pg-db")
	}
	c, err := pgtest.Shared()
	ts.Check(err)
	db, err := c.CreateDatabase("")
	ts.Check(err)
	ts.Setenv("PGDB", db)
	ts.Setenv("PGURL", c.URL(pgtest.Superuser, db))
}

// pgExec runs SQL in $PGDB as the superuser: "pg-exec SQL".
func pgExec(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: pg-exec SQL")
	}
	c, err := pgtest.Shared()
	ts.Check(err)
	ts.Check(c.Run(ts.Getenv("PGDB"), args[0]))
}
