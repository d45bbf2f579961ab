package github

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/meshc-dev/meshc/pkg/diag"
	"github.com/meshc-dev/meshc/pkg/plan"
	"github.com/meshc-dev/meshc/pkg/redact"
)

// Report is the outcome of one meshc run, to publish.
type Report struct {
	// Kind is the command: "validate", "plan", "apply" or "reconcile".
	Kind string
	// Mesh is the platform's name; it tells the sticky comments of
	// several meshes apart.
	Mesh string
	// Plan is the run's plan; nil for validate.
	Plan *plan.Plan
	// Diagnostics are the run's diagnostics; nil means the plan's.
	Diagnostics diag.Diagnostics
	// Markdown is the full report; empty means it is rendered from Plan,
	// or from the diagnostics. Where it does not fit (a comment holds
	// 65,536 characters) a shorter one is rendered from Plan.
	Markdown string
	// Summary is the one-line title, e.g. "2 errors"; empty means one is
	// made from the plan and diagnostics.
	Summary string
	// Failed is true when the run failed (any error diagnostic).
	Failed bool
}

// Result is what Publish did.
type Result struct {
	CommentURL  string // the sticky comment; empty if none
	CheckRunURL string // the check run; empty if none
	// Degraded is true when the token could not write checks or comments
	// and the report went to workflow commands and the job summary.
	Degraded bool
	// Notes say what was left out and why, one sentence each, for the
	// CLI to print.
	Notes []string
	// ReportPath is the file holding the full Markdown report.
	ReportPath string
}

func (r *Report) diagnostics() diag.Diagnostics {
	if r.Diagnostics == nil && r.Plan != nil {
		return r.Plan.Diagnostics
	}
	return r.Diagnostics
}

func (r *Report) hasErrors() bool { return r.Failed || r.diagnostics().HasErrors() }

// Publish reports r on GitHub: a check run on env.SHA with an annotation
// per located diagnostic, the sticky comment on env's pull request, the
// full report in the job summary and in a file, and the step's outputs.
//
// Where the token may not write checks or comments (a fork's pull request,
// a read-only token), the diagnostics are printed to env.Stdout as
// workflow commands instead and Result.Degraded is set: that is not an
// error. Other API errors are returned, naming the call, after everything
// else was still published; the job summary and outputs are written in
// any case.
func (c *Client) Publish(ctx context.Context, env *Env, r Report) (Result, error) {
	var res Result
	if r.Kind == "" {
		return res, errors.New("publishing a report: Report.Kind is empty")
	}
	// GitHub knows files by their path in the repository.
	ds := slices.Clone(r.diagnostics())
	for i := range ds {
		ds[i].File = env.repoPath(ds[i].File)
		ds[i].Message = redact.Text(ds[i].Message)
	}
	r.Markdown = redact.Text(r.Markdown)
	r.Diagnostics = ds
	var errs []error
	if env.SHA != "" {
		url, err := c.publishCheck(ctx, env, &r, r.within("", CheckSummary, nil))
		res.CheckRunURL = url
		if err != nil {
			if forbidden(err) {
				res.Degraded = true
				res.Notes = append(res.Notes, fmt.Sprintf("no check run: %v; the diagnostics are printed as workflow commands instead", err))
			} else {
				errs = append(errs, err)
			}
			// Annotations are never lost: the runner makes them from
			// workflow commands.
			if len(ds) > 0 {
				if err := writeCommands(env.stdout(), ds); err != nil {
					errs = append(errs, fmt.Errorf("printing workflow commands: %w", err))
				}
				if ds.Count(diag.Error) > 10 || ds.Count(diag.Warning) > 10 {
					res.Notes = append(res.Notes, "GitHub shows at most 10 errors and 10 warnings of a step as annotations: the job summary lists them all")
				}
			}
		}
	}
	if env.PullRequest != 0 {
		url, note, err := c.publishComment(ctx, env, Marker(r.Mesh), r.commentBody(env))
		res.CommentURL = url
		if note != "" {
			res.Notes = append(res.Notes, note)
		}
		if err != nil {
			if forbidden(err) {
				res.Degraded = true
				res.Notes = append(res.Notes, fmt.Sprintf("no pull request comment: %v; the report is in the job summary", err))
			} else {
				errs = append(errs, err)
			}
		}
	}
	if err := c.writeFiles(env, &r, &res); err != nil {
		errs = append(errs, err)
	}
	return res, errors.Join(errs...)
}

// commentBody is the sticky comment: the marker, the report and a link to
// the workflow run, within CommentBody.
func (r *Report) commentBody(env *Env) string {
	footer := ""
	if u := env.RunURL(); u != "" {
		footer = "\n<sub>meshc " + r.Kind + " · [workflow run](" + u + ") · the job summary has the full report</sub>\n"
	}
	return r.within(Marker(r.Mesh), CommentBody, func(body string) string {
		return strings.TrimRight(body, "\n") + "\n" + footer
	})
}

// fullMarkdown is the report without any size limit.
func (r *Report) fullMarkdown() string {
	return r.markdown("", unlimited)
}

// writeFiles writes the full report to a file and the job summary, and the
// step's outputs.
func (c *Client) writeFiles(env *Env, r *Report, res *Result) error {
	var errs []error
	full := r.fullMarkdown()
	dir := cmp.Or(env.RunnerTemp, os.TempDir())
	res.ReportPath = filepath.Join(dir, "meshc-report-"+cmp.Or(env.RunID, "local")+"-"+r.Kind+".md")
	if err := os.WriteFile(res.ReportPath, []byte(full), 0o644); err != nil {
		errs = append(errs, fmt.Errorf("writing the report: %w", err))
		res.ReportPath = ""
	}
	if env.StepSummary != "" {
		separated := func(s string) string { return strings.TrimRight(s, "\n") + "\n\n" }
		summary := separated(full)
		if !JobSummary.Fits(summary) {
			summary = r.within("", JobSummary, separated)
		}
		if err := appendFile(env.StepSummary, summary); err != nil {
			errs = append(errs, fmt.Errorf("writing the job summary: %w", err))
		}
	}
	if env.Output != "" {
		var b strings.Builder
		for _, kv := range Outputs(r, *res) {
			if strings.ContainsAny(kv[1], "\r\n") {
				errs = append(errs, fmt.Errorf("output %s: value %q holds a line break", kv[0], kv[1]))
				continue
			}
			b.WriteString(kv[0] + "=" + kv[1] + "\n")
		}
		if err := appendFile(env.Output, b.String()); err != nil {
			errs = append(errs, fmt.Errorf("writing the step outputs: %w", err))
		}
	}
	return errors.Join(errs...)
}

// Outputs are the step outputs of a published report, in order.
func Outputs(r *Report, res Result) [][2]string {
	var changes, breaking bool
	if r.Plan != nil {
		changes, breaking = r.Plan.HasChanges(), r.Plan.Summary.Breaking > 0
	}
	return [][2]string{
		{"has-changes", strconv.FormatBool(changes)},
		{"has-errors", strconv.FormatBool(r.hasErrors())},
		{"breaking", strconv.FormatBool(breaking)},
		{"report-path", res.ReportPath},
		{"comment-url", res.CommentURL},
	}
}

func appendFile(path, s string) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	_, err = f.WriteString(s)
	return errors.Join(err, f.Close())
}
