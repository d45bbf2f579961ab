package github

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/meshc-dev/meshc/pkg/diag"
)

// forbid answers with GitHub's error for a token that may not write.
func forbid(code int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		msg := "Resource not accessible by integration"
		if code == http.StatusNotFound {
			msg = "Not Found"
		}
		respond(w, code, map[string]any{"message": msg, "documentation_url": "https://docs.github.com/rest/checks/runs#create-a-check-run"})
	}
}

// TestDegradedForbidden is a fork's pull request: its token reads but
// cannot create check runs or comments. The diagnostics become workflow
// commands, escaped, the report still goes to the job summary, and
// Publish returns no error.
func TestDegradedForbidden(t *testing.T) {
	c, mux, env, stdout := setup(t)
	mux.HandleFunc("GET /repos/acme/orders-data/issues/12/comments", func(w http.ResponseWriter, r *http.Request) {
		respond(w, 200, []any{})
	})
	mux.HandleFunc("POST /repos/acme/orders-data/issues/12/comments", forbid(403))
	mux.HandleFunc("POST /repos/acme/orders-data/check-runs", forbid(403))

	ds := diag.Diagnostics{
		{Severity: diag.Error, Code: "schema", Message: "version: must be a semantic version\ngot \"1.0\" (100% sure)", File: "mesh/products.cue", Line: 12, Column: 3, Product: "orders.orders"},
		{Severity: diag.Warning, Code: "lifecycle", Message: "sunset: 2024-01-01, too soon", File: "mesh/odd,name:v2.cue", Line: 4},
		{Severity: diag.Notice, Code: "waiver", Message: "waived until 2030-01-01", File: "mesh/domain.cue"},
		{Severity: diag.Error, Code: "source", Message: "domain payments: git fetch failed", Domain: "payments"},
	}
	res, err := c.Publish(context.Background(), env, Report{Kind: "validate", Mesh: "acme", Diagnostics: ds, Failed: true})
	if err != nil {
		t.Fatalf("Publish: %v, want degraded mode without an error", err)
	}
	want := `::error file=mesh/products.cue,line=12,col=3,title=schema::version: must be a semantic version%0Agot "1.0" (100%25 sure) (orders.orders)
::warning file=mesh/odd%2Cname%3Av2.cue,line=4,title=lifecycle::sunset: 2024-01-01, too soon
::notice file=mesh/domain.cue,title=waiver::waived until 2030-01-01
::error title=source::domain payments: git fetch failed (domain payments)
`
	if got := stdout.String(); got != want {
		t.Errorf("workflow commands:\n%s\nwant:\n%s", got, want)
	}
	if !res.Degraded || res.CommentURL != "" || res.CheckRunURL != "" {
		t.Errorf("Result %+v, want Degraded without URLs", res)
	}
	notes := strings.Join(res.Notes, "\n")
	for _, want := range []string{
		"no check run: creating check run on acme/orders-data@" + headSHA + ": 403 Resource not accessible by integration",
		"no pull request comment: creating comment on acme/orders-data#12: 403 Resource not accessible by integration; the report is in the job summary",
	} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes lack %q:\n%s", want, notes)
		}
	}
	if got := readFile(t, env.StepSummary); !strings.Contains(got, "## meshc validate for acme") || !strings.Contains(got, "git fetch failed") {
		t.Errorf("job summary:\n%s", got)
	}
	if got := readFile(t, env.Output); !strings.Contains(got, "has-errors=true\n") || !strings.Contains(got, "comment-url=\n") {
		t.Errorf("outputs:\n%s", got)
	}
}

// TestDegradedNotFound is a token that cannot even see the pull request's
// comments: 404, also degraded.
func TestDegradedNotFound(t *testing.T) {
	c, mux, env, stdout := setup(t)
	acceptChecks(mux)
	mux.HandleFunc("GET /repos/acme/orders-data/issues/12/comments", forbid(404))
	res, err := c.Publish(context.Background(), env, Report{Kind: "plan", Mesh: "acme", Plan: breakingPlan()})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Degraded || res.CheckRunURL == "" || len(res.Notes) != 1 || !strings.Contains(res.Notes[0], "listing comments on acme/orders-data#12: 404 Not Found") {
		t.Errorf("Result %+v", res)
	}
	if stdout.Len() != 0 {
		t.Errorf("workflow commands printed though the check run was made:\n%s", stdout)
	}
}

// TestManyWorkflowCommands notes that GitHub shows only ten of them.
func TestManyWorkflowCommands(t *testing.T) {
	c, mux, env, stdout := setup(t)
	noComments(t, mux)
	mux.HandleFunc("POST /repos/acme/orders-data/check-runs", forbid(403))
	res, err := c.Publish(context.Background(), env, Report{Kind: "validate", Diagnostics: located(30)})
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(stdout.String(), "::error "); n != 30 {
		t.Errorf("%d workflow commands, want 30", n)
	}
	if !strings.Contains(strings.Join(res.Notes, "\n"), "at most 10 errors") {
		t.Errorf("notes %q", res.Notes)
	}
}
