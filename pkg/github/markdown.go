package github

import (
	"math"
	"strings"

	"github.com/meshc-dev/meshc/pkg/render"
)

// unlimited is the MaxLen of the full report.
const unlimited = math.MaxInt / 4

// Marker returns the hidden first line by which the sticky comment of
// mesh is found again.
func Marker(mesh string) string {
	for strings.Contains(mesh, "--") { // "--" would end the HTML comment
		mesh = strings.ReplaceAll(mesh, "--", "-")
	}
	return "<!-- meshc:report mesh=" + strings.ReplaceAll(mesh, "\n", " ") + " -->"
}

// title is the report's heading: "meshc plan for acme".
func (r *Report) title() string {
	if r.Mesh == "" {
		return "meshc " + r.Kind
	}
	return "meshc " + r.Kind + " for " + r.Mesh
}

// markdown renders the report within limit bytes, starting with marker
// when it is not empty. A caller's Markdown is used when it fits; else the
// plan is rendered again at a lower detail, or the diagnostics listed.
func (r *Report) markdown(marker string, limit int) string {
	head := ""
	if marker != "" {
		head = marker + "\n"
	}
	if r.Markdown != "" {
		body := strings.TrimPrefix(r.Markdown, head)
		if len(head)+len(body) <= limit {
			return head + body
		}
	}
	switch {
	case r.Plan != nil:
		return render.Markdown(r.Plan, render.MarkdownOptions{Title: r.title(), Marker: marker, MaxLen: limit, Drift: r.Kind == "reconcile"})
	case r.Markdown != "":
		return head + render.Cut(strings.TrimPrefix(r.Markdown, head), limit-len(head))
	}
	return head + render.DiagnosticsMarkdown(r.title(), r.diagnostics(), limit-len(head))
}

// within renders the report, starting with marker when it is not empty,
// and finishes it with finish (nil for none: a footer, a separator), so
// that the result fits l as GitHub counts it: whole when it fits, else
// rendered again within l's byte budget. finish may only trim the
// report's end and add a fixed text after it.
func (r *Report) within(marker string, l Limit, finish func(string) string) string {
	if finish == nil {
		finish = func(s string) string { return s }
	}
	if full := finish(r.markdown(marker, unlimited)); l.Fits(full) {
		return full
	}
	reserved := l.Len(finish(""))
	return finish(l.CutTo(r.markdown(marker, l.Budget(reserved)), l.Max-reserved))
}

// summary is the report's one-line title: the caller's, else one made
// from the plan and diagnostics.
func (r *Report) summary() string {
	if r.Summary != "" {
		return r.Summary
	}
	return render.Headline(r.Plan, r.diagnostics(), r.Kind == "reconcile")
}
