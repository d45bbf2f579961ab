package github

import (
	"fmt"
	"math"
	"strings"

	"github.com/meshc-dev/meshc/pkg/diag"
	"github.com/meshc-dev/meshc/pkg/render"
)

// Size limits of what GitHub accepts, with some room to spare.
const (
	// CommentMaxLen bounds a comment body: GitHub refuses more than 65,536
	// characters.
	CommentMaxLen = render.DefaultMarkdownMaxLen
	// checkSummaryMaxLen bounds a check run's output.summary (65,535).
	checkSummaryMaxLen = 65000
	// stepSummaryMaxLen bounds what one step adds to the job summary
	// (1 MiB, else GitHub shows none of it).
	stepSummaryMaxLen = 1<<20 - 4096
	// unlimited is the MaxLen of the full report.
	unlimited = math.MaxInt / 4
)

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
		return render.Markdown(r.Plan, render.MarkdownOptions{Title: r.title(), Marker: marker, MaxLen: limit})
	case r.Markdown != "":
		return head + cut(strings.TrimPrefix(r.Markdown, head), limit-len(head))
	}
	return head + diagnosticsMarkdown(r.title(), r.diagnostics(), limit-len(head))
}

const cutNote = "\n\n> _The report is cut here to stay within GitHub's size limit: the job summary has all of it._\n"

// cut shortens s to at most limit bytes at a line break, saying so.
func cut(s string, limit int) string {
	if len(s) <= limit {
		return s
	}
	n := max(0, limit-len(cutNote))
	if i := strings.LastIndexByte(s[:n], '\n'); i >= 0 {
		n = i
	} else {
		for n > 0 && !isRuneStart(s[n]) {
			n--
		}
	}
	out := s[:n] + cutNote
	if len(out) > limit {
		return s[:0]
	}
	return out
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

// diagnosticsMarkdown is the report of a run without a plan (validate): a
// verdict and the diagnostics as compiler output, errors first, within
// limit bytes.
func diagnosticsMarkdown(title string, ds diag.Diagnostics, limit int) string {
	var lines []string
	for rank := range 3 {
		for _, d := range ds {
			if d.Severity.Rank() == rank {
				lines = append(lines, render.DiagnosticLine(d))
			}
		}
	}
	var b strings.Builder
	b.WriteString("## " + strings.NewReplacer("\n", " ", "\r", " ").Replace(title) + "\n\n")
	b.WriteString("**" + verdict(ds) + "**\n")
	if len(lines) == 0 {
		return cut(b.String(), limit)
	}
	fence := strings.Repeat("`", max(3, longestRun(lines, '`')+1))
	b.WriteString("\n" + fence + "text\n")
	closing := fence + "\n"
	for i, l := range lines {
		more := fmt.Sprintf("… and %d more: see the job summary and the annotations\n", len(lines)-i)
		if b.Len()+len(l)+1+len(more)+len(closing) > limit {
			b.WriteString(more)
			break
		}
		b.WriteString(l + "\n")
	}
	b.WriteString(closing)
	return cut(b.String(), limit)
}

func verdict(ds diag.Diagnostics) string {
	errs, warns := ds.Count(diag.Error), ds.Count(diag.Warning)
	switch {
	case errs > 0 && warns > 0:
		return "❌ " + plural(errs, "error") + " and " + plural(warns, "warning")
	case errs > 0:
		return "❌ " + plural(errs, "error")
	case warns > 0:
		return "✅ The mesh is valid (" + plural(warns, "warning") + ")"
	}
	return "✅ The mesh is valid"
}

func longestRun(lines []string, c byte) int {
	longest := 0
	for _, l := range lines {
		run := 0
		for i := 0; i < len(l); i++ {
			if l[i] == c {
				run++
				longest = max(longest, run)
			} else {
				run = 0
			}
		}
	}
	return longest
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// summary is the report's one-line title: "2 errors, 1 warning",
// "3 changes, 1 breaking", "No changes".
func (r *Report) summary() string {
	if r.Summary != "" {
		return r.Summary
	}
	ds := r.diagnostics()
	var parts []string
	if n := ds.Count(diag.Error); n > 0 {
		parts = append(parts, plural(n, "error"))
	}
	if r.Plan != nil && len(parts) == 0 {
		s := r.Plan.Summary
		switch n := s.Create + s.Update + s.Delete; {
		case n == 0:
			parts = append(parts, "No changes")
		case s.Breaking > 0:
			parts = append(parts, plural(n, "change")+", "+fmt.Sprint(s.Breaking)+" breaking")
		default:
			parts = append(parts, plural(n, "change"))
		}
	}
	if n := ds.Count(diag.Warning); n > 0 {
		parts = append(parts, plural(n, "warning"))
	}
	if len(parts) == 0 {
		return "Valid"
	}
	if r.Plan == nil && !ds.HasErrors() {
		parts = append([]string{"Valid"}, parts...)
	}
	return strings.Join(parts, ", ")
}
