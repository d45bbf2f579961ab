package github

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	gh "github.com/google/go-github/v60/github"

	"github.com/meshc-dev/meshc/pkg/diag"
	"github.com/meshc-dev/meshc/pkg/plan"
)

// checkRecorder records the check run requests.
type checkRecorder struct {
	create  gh.CreateCheckRunOptions
	updates []gh.UpdateCheckRunOptions
}

func recordChecks(t *testing.T, mux *http.ServeMux) *checkRecorder {
	rec := &checkRecorder{}
	mux.HandleFunc("POST /repos/acme/orders-data/check-runs", func(w http.ResponseWriter, r *http.Request) {
		decode(t, r, &rec.create)
		respond(w, 201, map[string]any{"id": 7, "html_url": "https://github.com/acme/orders-data/runs/7"})
	})
	mux.HandleFunc("PATCH /repos/acme/orders-data/check-runs/7", func(w http.ResponseWriter, r *http.Request) {
		var o gh.UpdateCheckRunOptions
		decode(t, r, &o)
		rec.updates = append(rec.updates, o)
		respond(w, 200, map[string]any{"id": 7})
	})
	return rec
}

// TestCheckRunOnHeadSHA puts the check run of a pull_request event on the
// pull request's head commit, not on GITHUB_SHA's merge commit.
func TestCheckRunOnHeadSHA(t *testing.T) {
	c, mux, env, _ := setup(t)
	noComments(t, mux)
	rec := recordChecks(t, mux)
	res, err := c.Publish(context.Background(), env, Report{Kind: "plan", Mesh: "acme", Plan: breakingPlan()})
	if err != nil {
		t.Fatal(err)
	}
	cr := rec.create
	if cr.HeadSHA != headSHA || cr.Name != "meshc plan" || cr.GetStatus() != "in_progress" {
		t.Errorf("created %q on %s as %q; want \"meshc plan\" on %s in_progress", cr.Name, cr.HeadSHA, cr.GetStatus(), headSHA)
	}
	if cr.GetDetailsURL() != "https://github.com/acme/orders-data/actions/runs/4242" {
		t.Errorf("details URL %q", cr.GetDetailsURL())
	}
	if len(rec.updates) != 1 {
		t.Fatalf("%d updates, want 1", len(rec.updates))
	}
	u := rec.updates[0]
	if u.Name != "meshc plan" || u.GetStatus() != "completed" || u.GetConclusion() != "neutral" || u.CompletedAt == nil {
		t.Errorf("completed %q as %q/%q", u.Name, u.GetStatus(), u.GetConclusion())
	}
	if got := u.Output.GetTitle(); got != "1 change, 1 breaking" {
		t.Errorf("title %q", got)
	}
	if res.CheckRunURL != "https://github.com/acme/orders-data/runs/7" {
		t.Errorf("CheckRunURL %q", res.CheckRunURL)
	}
}

// TestAnnotationsBatched sends 120 annotations as 50 with the completing
// update, then 50 and 20; diagnostics without a file are left out.
func TestAnnotationsBatched(t *testing.T) {
	c, mux, env, _ := setup(t)
	noComments(t, mux)
	rec := recordChecks(t, mux)
	ds := located(120)
	ds = append(ds, diag.Errorf("source", "domain payments could not be fetched"))
	if _, err := c.Publish(context.Background(), env, Report{Kind: "validate", Mesh: "acme", Diagnostics: ds, Failed: true}); err != nil {
		t.Fatal(err)
	}
	var sizes []int
	seen := map[string]bool{}
	for i, u := range rec.updates {
		sizes = append(sizes, len(u.Output.Annotations))
		if u.Name != "meshc validate" || u.Output.GetTitle() != "121 errors" || u.Output.GetSummary() == "" {
			t.Errorf("update %d: name %q, title %q, summary of %d bytes", i, u.Name, u.Output.GetTitle(), len(u.Output.GetSummary()))
		}
		if (i == 0) != (u.GetConclusion() == "failure") {
			t.Errorf("update %d: conclusion %q", i, u.GetConclusion())
		}
		for _, a := range u.Output.Annotations {
			seen[a.GetPath()] = true
		}
	}
	if len(sizes) != 3 || sizes[0] != 50 || sizes[1] != 50 || sizes[2] != 20 {
		t.Errorf("annotation batches %v, want [50 50 20]", sizes)
	}
	if len(seen) != 120 {
		t.Errorf("%d distinct files annotated, want 120", len(seen))
	}
}

// TestCheckRunFailure completes an invalid mesh's check run as failure,
// with an annotation at the faulty file and line.
func TestCheckRunFailure(t *testing.T) {
	c, mux, env, _ := setup(t)
	noComments(t, mux)
	rec := recordChecks(t, mux)
	ds := diag.Diagnostics{
		{Severity: diag.Error, Code: "schema", Message: `version: must be a semantic version, got "1.0"`, File: "mesh/products.cue", Line: 12, Column: 3, Product: "orders.orders"},
		{Severity: diag.Warning, Code: "lifecycle", Message: "consumes a deprecated product", File: "mesh/domain.cue"},
	}
	if _, err := c.Publish(context.Background(), env, Report{Kind: "validate", Mesh: "acme", Diagnostics: ds, Failed: true}); err != nil {
		t.Fatal(err)
	}
	u := rec.updates[0]
	if u.GetConclusion() != "failure" {
		t.Errorf("conclusion %q, want failure", u.GetConclusion())
	}
	want := []gh.CheckRunAnnotation{
		{Path: gh.String("mesh/products.cue"), StartLine: gh.Int(12), EndLine: gh.Int(12), AnnotationLevel: gh.String("failure"),
			Message: gh.String(`version: must be a semantic version, got "1.0" (orders.orders)`), Title: gh.String("schema")},
		{Path: gh.String("mesh/domain.cue"), StartLine: gh.Int(1), EndLine: gh.Int(1), AnnotationLevel: gh.String("warning"),
			Message: gh.String("consumes a deprecated product"), Title: gh.String("lifecycle")},
	}
	if len(u.Output.Annotations) != len(want) {
		t.Fatalf("%d annotations, want %d", len(u.Output.Annotations), len(want))
	}
	for i, a := range u.Output.Annotations {
		got, _ := json.Marshal(a)
		exp, _ := json.Marshal(want[i])
		if string(got) != string(exp) {
			t.Errorf("annotation %d:\n got %s\nwant %s", i, got, exp)
		}
	}
}

func TestConclusion(t *testing.T) {
	warning := diag.Diagnostics{diag.Warningf("lifecycle", "deprecated")}
	for _, tc := range []struct {
		name string
		r    Report
		want string
	}{
		{"valid", Report{Kind: "validate"}, "success"},
		{"no changes", Report{Kind: "plan", Plan: &plan.Plan{}}, "success"},
		{"changes", Report{Kind: "plan", Plan: &plan.Plan{Summary: plan.Summary{Create: 2}}}, "success"},
		{"warnings", Report{Kind: "validate", Diagnostics: warning}, "neutral"},
		{"breaking, allowed", Report{Kind: "plan", Plan: breakingPlan()}, "neutral"},
		{"errors", Report{Kind: "plan", Plan: &plan.Plan{Diagnostics: diag.Diagnostics{diag.Errorf("cycle", "a cycle")}}}, "failure"},
		{"failed", Report{Kind: "apply", Failed: true}, "failure"},
	} {
		if got := tc.r.Conclusion(); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
		}
	}
}
