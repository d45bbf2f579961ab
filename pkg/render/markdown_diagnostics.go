package render

import (
	"fmt"
	"strings"

	"github.com/meshc-dev/meshc/pkg/diag"
	"github.com/meshc-dev/meshc/pkg/plan"
)

const cutNote = "\n\n> _The report is cut here to stay within GitHub's size limit: the job summary has all of it._\n"

// Cut shortens s to at most limit bytes at a line break, saying so.
func Cut(s string, limit int) string {
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

// DiagnosticsMarkdown is the report of a run without a plan (validate): a
// verdict and the diagnostics as compiler output, errors first, within
// limit bytes.
func DiagnosticsMarkdown(title string, ds diag.Diagnostics, limit int) string {
	var lines []string
	for rank := range 3 {
		for _, d := range ds {
			if d.Severity.Rank() == rank {
				lines = append(lines, DiagnosticLine(d))
			}
		}
	}
	var b strings.Builder
	b.WriteString("## " + strings.NewReplacer("\n", " ", "\r", " ").Replace(title) + "\n\n")
	b.WriteString("**" + verdict(ds) + "**\n")
	if len(lines) == 0 {
		return Cut(b.String(), limit)
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
	return Cut(b.String(), limit)
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

// Headline is a run's one-line title, from its plan (nil for validate)
// and diagnostics: "2 errors, 1 warning", "3 changes, 1 breaking", "No
// changes"; with drift, reconcile's: "No drift", "2 drifted products".
func Headline(p *plan.Plan, ds diag.Diagnostics, drift bool) string {
	wd := words(drift)
	var parts []string
	if n := ds.Count(diag.Error); n > 0 {
		parts = append(parts, plural(n, "error"))
	}
	if p != nil && len(parts) == 0 {
		s := p.Summary
		switch n := s.Create + s.Update + s.Delete; {
		case n == 0:
			parts = append(parts, wd.none)
		case s.Breaking > 0:
			parts = append(parts, plural(n, wd.change)+", "+fmt.Sprint(s.Breaking)+" breaking")
		default:
			parts = append(parts, plural(n, wd.change))
		}
	}
	if n := ds.Count(diag.Warning); n > 0 {
		parts = append(parts, plural(n, "warning"))
	}
	if len(parts) == 0 {
		return "Valid"
	}
	if p == nil && !ds.HasErrors() {
		parts = append([]string{"Valid"}, parts...)
	}
	return strings.Join(parts, ", ")
}
