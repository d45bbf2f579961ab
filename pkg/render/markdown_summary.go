package render

import (
	"fmt"
	"slices"
	"strings"

	"github.com/meshc-dev/meshc/pkg/plan"
)

// The summarised forms of a report, for plans too large to show whole.

// minimal is the report when even the counts do not fit: the parts of the
// header that fit, whole.
func (r *report) minimal(limit int) string {
	s := r.p.Summary
	table := fmt.Sprintf("\n| create | update | delete | breaking |\n|---:|---:|---:|---:|\n| %d | %d | %d | %d |\n",
		s.Create, s.Update, s.Delete, s.Breaking)
	var b strings.Builder
	for _, part := range []string{r.marker + "\n", "## " + text(r.title) + "\n\n", "**" + r.verdict() + "**\n", table} {
		if b.Len()+len(part) > limit {
			break
		}
		b.WriteString(part)
	}
	if b.Len() == 0 {
		return cutRunes(r.marker, limit)
	}
	return b.String()
}

// oneLine is a product as one list item, without the "- ".
func oneLine(c *plan.Change) string {
	parts := []string{symbol(c.Action) + " " + text(c.Action) + " " + code(c.Product)}
	for _, s := range versionStatus(c) {
		parts = append(parts, text(s))
	}
	if c.Drift != "" {
		parts = append(parts, "drift: "+text(plan.DriftText(c.Drift)))
	}
	if len(c.Breaking) > 0 {
		var rules []string
		for _, b := range c.Breaking {
			if !slices.Contains(rules, b.Rule) {
				rules = append(rules, b.Rule)
			}
		}
		slices.Sort(rules)
		parts = append(parts, "**breaking** ("+text(strings.Join(rules, ", "))+")")
	}
	if n := len(c.Impacted); n > 0 {
		parts = append(parts, plural(n, "consumer"))
	}
	return strings.Join(parts, " · ")
}

func (r *report) oneLines(w *writer) {
	if len(r.domains) == 0 {
		return
	}
	w.line("### Changes")
	w.line("")
	w.line("_One line per product " + sizeNote + ": run `meshc plan` locally or see the job summary for the details._")
	w.line("")
	for _, dom := range r.domains {
		w.line("#### " + text(dom))
		w.line("")
		for _, c := range r.byDomain[dom] {
			w.line("- " + oneLine(c))
		}
		w.line("")
		if w.over() {
			return
		}
	}
}

// counts writes the changes counted per domain, then as many products as
// fit, breaking ones first, then how many were left out.
func (r *report) counts(w *writer) {
	if len(r.domains) == 0 {
		return
	}
	w.line("### Changes")
	w.line("")
	w.line("| domain | create | update | delete | breaking |")
	w.line("|---|---:|---:|---:|---:|")
	for i, dom := range r.domains {
		var n [4]int
		for _, c := range r.byDomain[dom] {
			switch c.Action {
			case plan.Create:
				n[0]++
			case plan.Update:
				n[1]++
			case plan.Delete:
				n[2]++
			}
			if len(c.Breaking) > 0 {
				n[3]++
			}
		}
		row := fmt.Sprintf("| %s | %d | %d | %d | %d |\n", cell(text(dom)), n[0], n[1], n[2], n[3])
		if !w.fit(row) {
			w.line(fmt.Sprintf("| … and %s | | | | |", plural(len(r.domains)-i, "more domain")))
			break
		}
	}
	w.line("")
	all := r.pending(true)
	shown := 0
	for _, c := range all {
		if !w.fit("- " + oneLine(c) + "\n") {
			break
		}
		shown++
	}
	if shown > 0 {
		w.line("")
	}
	if n := len(all) - shown; n > 0 {
		more := "more "
		if shown == 0 {
			more = ""
		}
		w.line(fmt.Sprintf("> **%d %sproducts not shown**: run `meshc plan` locally or see the job summary.", n, more))
		w.line("")
	}
}
