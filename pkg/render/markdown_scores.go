package render

import (
	"fmt"
	"strings"
)

// scores writes the scorecards of the plan's changed products: the score,
// its level, its change and the checks failed.
func (r *report) scores(w *writer) {
	if len(r.p.Scores) == 0 {
		return
	}
	w.line("### Scorecards")
	w.line("")
	w.line("| product | score | level | change | failed checks |")
	w.line("|---|---|---|---|---|")
	for _, s := range r.p.Scores {
		change := "new"
		if s.Previous != nil {
			change = fmt.Sprintf("%+g", s.Score-*s.Previous)
			if s.Score == *s.Previous {
				change = "="
			}
		}
		failed := make([]string, len(s.Failed))
		for i, f := range s.Failed {
			failed[i] = code(f)
		}
		w.line(fmt.Sprintf("| %s | %g | %s | %s | %s |", code(s.Product), s.Score, text(s.Level), change, strings.Join(failed, ", ")))
	}
	w.line("")
}
