package github

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/meshc-dev/meshc/pkg/diag"
	"github.com/meshc-dev/meshc/pkg/plan"
)

// The commits of the pull_request fixture: checks go on the head commit,
// not on the merge commit that GITHUB_SHA names.
const (
	headSHA  = "6dcb09b5b57875f334f61aebed695e2e4193db5e"
	mergeSHA = "f00dfacef00dfacef00dfacef00dfacef00dface"
)

// actionsEnv returns the variables of a workflow run on event, with its
// payload from testdata, and its files in a temporary directory.
func actionsEnv(t *testing.T, event, payload string) map[string]string {
	t.Helper()
	dir := t.TempDir()
	vars := map[string]string{
		"GITHUB_ACTIONS":      "true",
		"GITHUB_API_URL":      "https://api.github.com",
		"GITHUB_SERVER_URL":   "https://github.com",
		"GITHUB_REPOSITORY":   "acme/orders-data",
		"GITHUB_EVENT_NAME":   event,
		"GITHUB_TOKEN":        "ghs_test",
		"GITHUB_RUN_ID":       "4242",
		"GITHUB_SHA":          mergeSHA,
		"GITHUB_STEP_SUMMARY": filepath.Join(dir, "summary.md"),
		"GITHUB_OUTPUT":       filepath.Join(dir, "output"),
		"RUNNER_TEMP":         dir,
	}
	if payload != "" {
		vars["GITHUB_EVENT_PATH"] = filepath.Join("testdata", payload)
	}
	return vars
}

func getenv(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// loadEnv is LoadEnv of vars, with workflow commands going to a buffer.
func loadEnv(t *testing.T, vars map[string]string) (*Env, *bytes.Buffer) {
	t.Helper()
	env, err := LoadEnv(getenv(vars))
	if err != nil {
		t.Fatalf("LoadEnv: %v", err)
	}
	var stdout bytes.Buffer
	env.Stdout = &stdout
	return env, &stdout
}

// setup starts an API server with an empty mux, in go-github's style, and
// returns a client pointed at it and the environment of a pull_request run.
func setup(t *testing.T) (*Client, *http.ServeMux, *Env, *bytes.Buffer) {
	t.Helper()
	mux := http.NewServeMux()
	// GraphQL names the token's account as it does Actions' GITHUB_TOKEN;
	// REST names its comments' author github-actions[bot].
	mux.HandleFunc("POST /graphql", func(w http.ResponseWriter, r *http.Request) {
		respond(w, 200, map[string]any{"data": map[string]any{"viewer": map[string]any{"login": "github-actions"}}})
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	env, stdout := loadEnv(t, actionsEnv(t, "pull_request", "pull_request.json"))
	c, err := NewClient(env, Options{BaseURL: srv.URL + "/", RetryDelay: time.Millisecond, MaxRetryWait: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return c, mux, env, stdout
}

func testMethod(t *testing.T, r *http.Request, want string) {
	t.Helper()
	if r.Method != want {
		t.Errorf("%s %s: method %s, want %s", r.Method, r.URL.Path, r.Method, want)
	}
}

func decode(t *testing.T, r *http.Request, v any) {
	t.Helper()
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		t.Fatalf("%s %s: %v", r.Method, r.URL.Path, err)
	}
}

// respond writes v as JSON with code.
func respond(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

// noComments serves a pull request without comments and takes the
// created one.
func noComments(t *testing.T, mux *http.ServeMux) {
	mux.HandleFunc("GET /repos/acme/orders-data/issues/12/comments", func(w http.ResponseWriter, r *http.Request) {
		respond(w, 200, []any{})
	})
	mux.HandleFunc("POST /repos/acme/orders-data/issues/12/comments", func(w http.ResponseWriter, r *http.Request) {
		respond(w, 201, map[string]any{"id": 1, "html_url": "https://github.com/acme/orders-data/pull/12#issuecomment-1"})
	})
}

// acceptChecks takes any check run.
func acceptChecks(mux *http.ServeMux) {
	mux.HandleFunc("POST /repos/acme/orders-data/check-runs", func(w http.ResponseWriter, r *http.Request) {
		respond(w, 201, map[string]any{"id": 7, "html_url": "https://github.com/acme/orders-data/runs/7"})
	})
	mux.HandleFunc("PATCH /repos/acme/orders-data/check-runs/7", func(w http.ResponseWriter, r *http.Request) {
		respond(w, 200, map[string]any{"id": 7})
	})
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// breakingPlan removes a field that two other domains' products read.
func breakingPlan() *plan.Plan {
	return &plan.Plan{
		FormatVersion: plan.FormatVersion,
		LiveSerial:    7,
		Summary:       plan.Summary{Update: 1, Breaking: 1},
		Changes: []*plan.Change{{
			Product: "orders.orders",
			Domain:  "orders",
			Action:  plan.Update,
			Before:  &plan.VersionStatus{Version: "2.0.1", Status: "active"},
			After:   &plan.VersionStatus{Version: "3.0.0", Status: "active"},
			Fields: []plan.FieldChange{
				{Path: "outputPorts.orders.schema.gross_amount", Before: map[string]any{"type": "number"}},
				{Path: "version", Before: "2.0.1", After: "3.0.0"},
			},
			Breaking: []plan.Breaking{{Rule: "field-removed", Path: "outputPorts.orders.schema.gross_amount", Message: `field "gross_amount" is removed from output port "orders"`}},
			Impacted: []plan.Impact{
				{Product: "finance.revenue_daily", Team: "@acme/finance-analytics", Port: "orders"},
				{Product: "marketing.customer_segments", Team: "@acme/marketing", Port: "orders"},
			},
		}},
	}
}

// hugePlan creates n products with many fields each: its full report is
// far over any GitHub limit.
func hugePlan(n int) *plan.Plan {
	p := &plan.Plan{FormatVersion: plan.FormatVersion, Summary: plan.Summary{Create: n}}
	for i := range n {
		c := &plan.Change{
			Product: fmt.Sprintf("sales.product_%05d", i),
			Domain:  "sales",
			Action:  plan.Create,
			After:   &plan.VersionStatus{Version: "1.0.0", Status: "draft"},
		}
		for j := range 20 {
			c.Fields = append(c.Fields, plan.FieldChange{
				Path:  fmt.Sprintf("outputPorts.main.schema.field_%02d.description", j),
				After: strings.Repeat("a long description ", 4),
			})
		}
		p.Changes = append(p.Changes, c)
	}
	return p
}

// located returns n error diagnostics, each in its own file and line.
func located(n int) diag.Diagnostics {
	var ds diag.Diagnostics
	for i := range n {
		ds = append(ds, diag.Diagnostic{
			Severity: diag.Error, Code: "schema", Message: fmt.Sprintf("problem %d", i),
			File: fmt.Sprintf("mesh/p%03d.cue", i), Line: i + 1, Column: 2,
		})
	}
	return ds
}
