package github

import (
	"context"
	"fmt"

	gh "github.com/google/go-github/v60/github"

	"github.com/meshc-dev/meshc/pkg/diag"
)

// maxAnnotationsPerRequest is how many annotations GitHub takes in one
// check run request; more are sent in further updates, which append.
const maxAnnotationsPerRequest = 50

// Conclusions of a check run.
const (
	ConclusionSuccess = "success"
	ConclusionFailure = "failure"
	ConclusionNeutral = "neutral"
)

// Conclusion is how r's check run completes: failure when the run failed
// (any error), neutral when it needs a reader's attention without
// blocking the merge (warnings, or breaking changes that the rules allow,
// such as a major version bump, which consumers should still see), and
// success otherwise. Branch protection counts neutral as passing.
func (r *Report) Conclusion() string {
	ds := r.diagnostics()
	switch {
	case r.Failed || ds.HasErrors():
		return ConclusionFailure
	case ds.Count(diag.Warning) > 0 || r.Plan != nil && r.Plan.Summary.Breaking > 0:
		return ConclusionNeutral
	}
	return ConclusionSuccess
}

// annotations returns an annotation for every diagnostic with a file;
// the others are in the summary only.
func annotations(ds diag.Diagnostics) []*gh.CheckRunAnnotation {
	var out []*gh.CheckRunAnnotation
	for _, d := range ds {
		if d.File == "" {
			continue
		}
		line := max(d.Line, 1)
		a := &gh.CheckRunAnnotation{
			Path:            gh.String(d.File),
			StartLine:       gh.Int(line),
			EndLine:         gh.Int(line),
			AnnotationLevel: gh.String(annotationLevel(d.Severity)),
			Message:         gh.String(AnnotationMessage.Cut(annotationMessage(d))),
		}
		if d.Code != "" {
			a.Title = gh.String(AnnotationTitle.Cut(d.Code))
		}
		out = append(out, a)
	}
	return out
}

func annotationLevel(s diag.Severity) string {
	switch s {
	case diag.Error:
		return "failure"
	case diag.Warning:
		return "warning"
	}
	return "notice"
}

// publishCheck creates the check run "meshc <kind>" on env.SHA in
// progress, then completes it with the report and the first annotations,
// and sends the other annotations in batches. It returns the run's URL.
func (c *Client) publishCheck(ctx context.Context, env *Env, r *Report, summary string) (string, error) {
	name := "meshc " + r.Kind
	where := env.Repository + "@" + env.SHA
	create := gh.CreateCheckRunOptions{
		Name:      name,
		HeadSHA:   env.SHA,
		Status:    gh.String("in_progress"),
		StartedAt: &gh.Timestamp{Time: c.now()},
	}
	if u := env.RunURL(); u != "" {
		create.DetailsURL = gh.String(u)
	}
	var run *gh.CheckRun
	err := c.call(ctx, "creating check run on "+where, func() error {
		var err error
		run, _, err = c.gh.Checks.CreateCheckRun(ctx, env.Owner, env.Repo, create)
		return err
	})
	if err != nil {
		return "", err
	}
	anns := annotations(r.diagnostics())
	batch := min(len(anns), c.annBatch)
	title := r.summary()
	complete := gh.UpdateCheckRunOptions{
		Name:        name,
		Status:      gh.String("completed"),
		Conclusion:  gh.String(r.Conclusion()),
		CompletedAt: &gh.Timestamp{Time: c.now()},
		Output: &gh.CheckRunOutput{
			Title:       gh.String(title),
			Summary:     gh.String(summary),
			Annotations: anns[:batch],
		},
	}
	id := run.GetID()
	err = c.call(ctx, fmt.Sprintf("completing check run %d on %s", id, where), func() error {
		_, _, err := c.gh.Checks.UpdateCheckRun(ctx, env.Owner, env.Repo, id, complete)
		return err
	})
	if err != nil {
		return run.GetHTMLURL(), err
	}
	for start := batch; start < len(anns); start += c.annBatch {
		end := min(start+c.annBatch, len(anns))
		more := gh.UpdateCheckRunOptions{
			// Name and the output's title and summary are required on
			// every update; the annotations are appended.
			Name: name,
			Output: &gh.CheckRunOutput{
				Title:       gh.String(title),
				Summary:     gh.String(summary),
				Annotations: anns[start:end],
			},
		}
		err := c.call(ctx, fmt.Sprintf("adding annotations %d-%d of %d to check run %d on %s", start+1, end, len(anns), id, where), func() error {
			_, _, err := c.gh.Checks.UpdateCheckRun(ctx, env.Owner, env.Repo, id, more)
			return err
		})
		if err != nil {
			return run.GetHTMLURL(), err
		}
	}
	return run.GetHTMLURL(), nil
}
