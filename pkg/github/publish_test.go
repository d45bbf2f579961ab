package github_test

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/meshc-dev/meshc/pkg/diag"
	"github.com/meshc-dev/meshc/pkg/github"
	"github.com/meshc-dev/meshc/pkg/github/githubtest"
	"github.com/meshc-dev/meshc/pkg/plan"
)

// TestPublishToFakeGitHub runs the scenario against the fake API,
// reached as a GitHub Enterprise Server (GITHUB_API_URL .../api/v3), the
// way the CLI does it: LoadEnv, NewClient, Publish.
func TestPublishToFakeGitHub(t *testing.T) {
	srv := githubtest.NewServer()
	defer srv.Close()
	dir := t.TempDir()
	vars := map[string]string{
		"GITHUB_ACTIONS":      "true",
		"GITHUB_API_URL":      srv.APIURL(),
		"GITHUB_SERVER_URL":   "https://ghe.acme.example",
		"GITHUB_REPOSITORY":   "acme/orders-data",
		"GITHUB_EVENT_NAME":   "pull_request",
		"GITHUB_EVENT_PATH":   filepath.Join("testdata", "pull_request.json"),
		"GITHUB_TOKEN":        "ghs_test",
		"GITHUB_RUN_ID":       "1",
		"GITHUB_SHA":          "f00dfacef00dfacef00dfacef00dfacef00dface",
		"GITHUB_STEP_SUMMARY": filepath.Join(dir, "summary.md"),
		"GITHUB_OUTPUT":       filepath.Join(dir, "output"),
		"RUNNER_TEMP":         dir,
	}
	env, err := github.LoadEnv(func(k string) string { return vars[k] })
	if err != nil {
		t.Fatal(err)
	}
	var stdout bytes.Buffer
	env.Stdout = &stdout
	c, err := github.NewClient(env, github.Options{RetryDelay: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	srv.AddComment(12, "alice", "Could you bump the major version?")

	// A breaking change: one comment naming it and every consumer team.
	p := breaking()
	if _, err := c.Publish(ctx, env, github.Report{Kind: "plan", Mesh: "acme", Plan: p}); err != nil {
		t.Fatal(err)
	}
	// A second run edits that comment.
	p.Changes[0].After.Version = "3.0.0"
	env.RunID = "2"
	res, err := c.Publish(ctx, env, github.Report{Kind: "plan", Mesh: "acme", Plan: p})
	if err != nil {
		t.Fatal(err)
	}
	comments := srv.Comments(12)
	if len(comments) != 2 || comments[1].Edits != 1 {
		t.Fatalf("comments %+v, want alice's and one report edited once", comments)
	}
	body := comments[1].Body
	for _, want := range []string{github.Marker("acme"), "orders.orders", "field-removed", "@acme/finance-analytics", "@acme/marketing", "actions/runs/2"} {
		if !strings.Contains(body, want) {
			t.Errorf("the comment lacks %q:\n%s", want, body)
		}
	}
	if want := fmt.Sprintf("https://github.test/acme/orders-data/pull/12#issuecomment-%d", comments[1].ID); res.CommentURL != want {
		t.Errorf("CommentURL %q, want %q", res.CommentURL, want)
	}

	// An invalid mesh: the check run fails, annotated at the file and line.
	bad := diag.Diagnostics{{Severity: diag.Error, Code: "schema", Message: "status: must be one of proposed, draft, active, deprecated, retired", File: "mesh/products.cue", Line: 9, Column: 14}}
	if _, err := c.Publish(ctx, env, github.Report{Kind: "validate", Mesh: "acme", Diagnostics: bad, Failed: true}); err != nil {
		t.Fatal(err)
	}
	// 120 diagnostics: batches of at most 50.
	var many diag.Diagnostics
	for i := range 120 {
		many = append(many, diag.Diagnostic{Severity: diag.Warning, Code: "lifecycle", Message: "m", File: "mesh/products.cue", Line: i + 1})
	}
	if _, err := c.Publish(ctx, env, github.Report{Kind: "validate", Mesh: "acme", Diagnostics: many}); err != nil {
		t.Fatal(err)
	}
	// A huge plan still posts.
	if _, err := c.Publish(ctx, env, github.Report{Kind: "plan", Mesh: "acme", Plan: huge(2000)}); err != nil {
		t.Fatal(err)
	}
	runs := srv.CheckRuns()
	if len(runs) != 5 {
		t.Fatalf("%d check runs, want 5", len(runs))
	}
	for _, r := range runs {
		if r.HeadSHA != "6dcb09b5b57875f334f61aebed695e2e4193db5e" || r.Status != "completed" {
			t.Errorf("check run %q on %s is %s", r.Name, r.HeadSHA, r.Status)
		}
	}
	if r := runs[2]; r.Name != "meshc validate" || r.Conclusion != "failure" || len(r.Annotations) != 1 ||
		r.Annotations[0] != (githubtest.Annotation{Path: "mesh/products.cue", StartLine: 9, EndLine: 9, Level: "failure", Message: bad[0].Message, Title: "schema"}) {
		t.Errorf("invalid mesh's check run: %+v", r)
	}
	if r := runs[3]; fmt.Sprint(r.Batches) != "[50 50 20]" || r.Conclusion != "neutral" {
		t.Errorf("120 annotations sent as %v, conclusion %s", r.Batches, r.Conclusion)
	}
	if n := utf8.RuneCountInString(srv.Comments(12)[1].Body); n > 65536 {
		t.Errorf("comment of %d characters", n)
	}

	// A fork's read-only token: workflow commands, no error.
	srv.SetReadOnly(true)
	res, err = c.Publish(ctx, env, github.Report{Kind: "validate", Mesh: "acme", Diagnostics: bad, Failed: true})
	if err != nil || !res.Degraded {
		t.Fatalf("read-only token: %+v, %v", res, err)
	}
	if want := "::error file=mesh/products.cue,line=9,col=14,title=schema::status: must be one of proposed, draft, active, deprecated, retired\n"; stdout.String() != want {
		t.Errorf("workflow commands:\n%s\nwant:\n%s", stdout.String(), want)
	}
	for _, req := range srv.Requests() {
		if !strings.HasPrefix(req, "GET /api/v3/") && !strings.HasPrefix(req, "POST /api/v3/") && !strings.HasPrefix(req, "PATCH /api/v3/") && req != "POST /api/graphql" {
			t.Errorf("request %q is not under the Enterprise API path", req)
		}
	}
}

func breaking() *plan.Plan {
	return &plan.Plan{
		FormatVersion: plan.FormatVersion,
		Summary:       plan.Summary{Update: 1, Breaking: 1},
		Changes: []*plan.Change{{
			Product: "orders.orders", Domain: "orders", Action: plan.Update,
			Before:   &plan.VersionStatus{Version: "2.0.1", Status: "active"},
			After:    &plan.VersionStatus{Version: "2.0.1", Status: "active"},
			Fields:   []plan.FieldChange{{Path: "outputPorts.orders.schema.gross_amount", Before: map[string]any{"type": "number"}}},
			Breaking: []plan.Breaking{{Rule: "field-removed", Path: "outputPorts.orders.schema.gross_amount", Message: `field "gross_amount" is removed`}},
			Impacted: []plan.Impact{
				{Product: "finance.revenue_daily", Team: "@acme/finance-analytics", Port: "orders"},
				{Product: "marketing.customer_segments", Team: "@acme/marketing", Via: "customers.customer_profiles"},
			},
		}},
	}
}

func huge(n int) *plan.Plan {
	p := &plan.Plan{FormatVersion: plan.FormatVersion, Summary: plan.Summary{Create: n}}
	for i := range n {
		c := &plan.Change{Product: fmt.Sprintf("sales.p%05d", i), Domain: "sales", Action: plan.Create}
		for j := range 10 {
			c.Fields = append(c.Fields, plan.FieldChange{Path: fmt.Sprintf("outputPorts.main.schema.f%d", j), After: strings.Repeat("ü", 60)})
		}
		p.Changes = append(p.Changes, c)
	}
	return p
}
