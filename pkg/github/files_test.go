package github

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshc-dev/meshc/pkg/plan"
)

// TestOutputsAndSummary writes the job summary (appended to what the job
// wrote before), the report file and the step outputs.
func TestOutputsAndSummary(t *testing.T) {
	c, mux, env, _ := setup(t)
	acceptChecks(mux)
	noComments(t, mux)
	if err := os.WriteFile(env.StepSummary, []byte("# Earlier step\n\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(env.Output, []byte("other=1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := c.Publish(context.Background(), env, Report{Kind: "plan", Mesh: "acme", Plan: breakingPlan()})
	if err != nil {
		t.Fatal(err)
	}
	wantPath := filepath.Join(env.RunnerTemp, "meshc-report-4242-plan.md")
	if res.ReportPath != wantPath {
		t.Errorf("ReportPath %q, want %q", res.ReportPath, wantPath)
	}
	want := "other=1\n" +
		"has-changes=true\n" +
		"has-errors=false\n" +
		"breaking=true\n" +
		"report-path=" + wantPath + "\n" +
		"comment-url=https://github.com/acme/orders-data/pull/12#issuecomment-1\n"
	if got := readFile(t, env.Output); got != want {
		t.Errorf("outputs:\n%s\nwant:\n%s", got, want)
	}
	full := readFile(t, wantPath)
	if !strings.HasPrefix(full, "## meshc plan for acme\n") || strings.Contains(full, "<!--") {
		t.Errorf("report file:\n%s", full)
	}
	if got := readFile(t, env.StepSummary); got != "# Earlier step\n\n"+full+"\n" {
		t.Errorf("job summary:\n%s", got)
	}
}

// TestOutputsWithoutPullRequest is a push: no comment, no changes.
func TestOutputsWithoutPullRequest(t *testing.T) {
	vars := actionsEnv(t, "push", "push.json")
	env, _ := loadEnv(t, vars)
	r := &Report{Kind: "apply", Plan: &plan.Plan{}}
	got := Outputs(r, Result{ReportPath: "/tmp/r.md"})
	want := [][2]string{{"has-changes", "false"}, {"has-errors", "false"}, {"breaking", "false"}, {"report-path", "/tmp/r.md"}, {"comment-url", ""}}
	if len(got) != len(want) {
		t.Fatalf("got %v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("output %d: %v, want %v", i, got[i], want[i])
		}
	}
	if env.PullRequest != 0 {
		t.Errorf("a push has pull request %d", env.PullRequest)
	}
}
