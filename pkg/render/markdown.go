package render

import (
	"cmp"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/meshc-dev/meshc/pkg/diag"
	"github.com/meshc-dev/meshc/pkg/plan"
	"github.com/meshc-dev/meshc/pkg/result"
)

// DefaultMarkdownMaxLen is the size a Markdown report stays within when
// MarkdownOptions.MaxLen is 0: GitHub refuses comments over 65,536 characters.
const DefaultMarkdownMaxLen = 65000

// MarkdownOptions tunes Markdown.
type MarkdownOptions struct {
	// Title is the report's heading, e.g. "meshc plan for acme".
	Title string
	// Marker is a hidden HTML comment put first, e.g. "<!-- meshc:acme -->",
	// by which a sticky comment is found again; empty for none.
	Marker string
	// MaxLen is the most bytes the report may take; 0 means
	// DefaultMarkdownMaxLen.
	MaxLen int
	// Drift speaks of reconcile's drift rather than of a plan.
	Drift bool
}

// detail is how much of a plan a report shows. Markdown steps down one
// level at a time until the report fits, so it never cuts mid-table.
type detail int

const (
	detailFull           detail = iota // everything, with the lineage graph
	detailNoGraph                      // no lineage graph
	detailBreakingFields               // field tables only for products with breaking changes
	detailOneLine                      // one line per product, no <details>
	detailCounts                       // counts per domain, then as many one-line products as fit
)

const (
	maxValueRunes = 80  // a before/after value in a field table
	maxDiffRunes  = 200 // a FieldChange.Diff
	maxTitleRunes = 200
	// Mermaid's defaults (maxEdges, maxTextSize): GitHub draws nothing bigger.
	maxGraphEdges = 500
	maxGraphBytes = 50000
)

const sizeNote = "to keep this comment within GitHub's size limit"

// Markdown renders p as a pull-request comment: a verdict, the counts, the
// diagnostics, every changed product with its field changes, breaking
// changes and consumers (whose teams are @-mentioned), and a lineage graph.
// The result is at most o.MaxLen bytes, however large the plan.
func Markdown(p *plan.Plan, o MarkdownOptions) string {
	limit := o.MaxLen
	if limit <= 0 {
		limit = DefaultMarkdownMaxLen
	}
	r := newReport(p, o)
	for d := detailFull; d < detailCounts; d++ {
		if s, ok := r.render(d, limit, 0); ok {
			return s
		}
	}
	// The fewer bytes kept for the "N more" lines, the more products listed.
	for _, reserve := range []int{100, 200, 400, 800, 1600} {
		if s, ok := r.render(detailCounts, limit, reserve); ok {
			return s
		}
	}
	return r.minimal(limit)
}

// report is a plan sorted and grouped for rendering.
type report struct {
	p             *plan.Plan
	words         wording
	title         string
	marker        string
	domains       []string                  // with pending changes, sorted
	byDomain      map[string][]*plan.Change // pending changes, by product
	diags         diag.Diagnostics          // errors, then warnings, then the rest
	teams         []string                  // every impacted team, sorted
	breakingTeams []string                  // impacted by a breaking change, sorted
}

func newReport(p *plan.Plan, o MarkdownOptions) *report {
	r := &report{p: p, words: words(o.Drift), marker: o.Marker, byDomain: map[string][]*plan.Change{}}
	r.title = truncate(cmp.Or(o.Title, "meshc plan"), maxTitleRunes)
	var all, breaking []plan.Impact
	for _, c := range p.Changes {
		if c == nil || c.Action == plan.NoOp {
			continue
		}
		d := domainOf(c)
		if r.byDomain[d] == nil {
			r.domains = append(r.domains, d)
		}
		r.byDomain[d] = append(r.byDomain[d], c)
		all = append(all, c.Impacted...)
		if len(c.Breaking) > 0 {
			breaking = append(breaking, c.Impacted...)
		}
	}
	slices.Sort(r.domains)
	for _, cs := range r.byDomain {
		slices.SortFunc(cs, func(a, b *plan.Change) int { return strings.Compare(a.Product, b.Product) })
	}
	r.teams, r.breakingTeams = plan.Teams(all), plan.Teams(breaking)
	r.diags = slices.Clone(p.Diagnostics)
	slices.SortStableFunc(r.diags, func(a, b diag.Diagnostic) int {
		return cmp.Compare(a.Severity.Rank(), b.Severity.Rank())
	})
	return r
}

func domainOf(c *plan.Change) string {
	if c.Domain != "" {
		return c.Domain
	}
	d, _, _ := strings.Cut(c.Product, ".")
	return d
}

// pending returns the changed products: by domain and id, or with those
// with breaking changes first.
func (r *report) pending(breakingFirst bool) []*plan.Change {
	var out []*plan.Change
	for _, d := range r.domains {
		out = append(out, r.byDomain[d]...)
	}
	if breakingFirst {
		slices.SortStableFunc(out, func(a, b *plan.Change) int {
			return cmp.Compare(min(len(b.Breaking), 1), min(len(a.Breaking), 1))
		})
	}
	return out
}

// render writes the report at detail d. At detailCounts every list is cut
// to what fits while keeping reserve bytes for the "N more" lines.
func (r *report) render(d detail, limit, reserve int) (string, bool) {
	// Every section ends with a blank line, which is trimmed at the end.
	w := &writer{limit: limit + 1}
	if d == detailCounts {
		w.capped, w.reserve = true, reserve
	}
	r.header(w)
	sections := []func(*writer){r.teamsLine, r.skipped, r.diagnostics}
	bounds := make([]int, len(sections))
	if w.capped {
		// No list may crowd out the others: each gets what it needs if that
		// is within its share, and what one leaves is shared again. The
		// teams of breaking changes are always named.
		need := []int{measure(r.teamsLine), measure(r.skipped), measure(r.diagnostics), measure(r.counts)}
		bounds = shares(limit-w.b.Len()-reserve, need, []int{2, 1, 2, 3})
		bounds[0] = max(bounds[0], min(need[0], r.breakingTeamsLen()))
	}
	for i, section := range sections {
		w.within(bounds[i], func() { section(w) })
	}
	if !w.capped {
		r.scores(w)
	}
	switch d {
	case detailCounts:
		r.counts(w)
	case detailOneLine:
		r.oneLines(w)
	default:
		r.details(w, d)
	}
	if d == detailFull {
		r.graph(w)
	} else if d < detailCounts && len(r.domains) > 0 {
		w.line("_The lineage graph is left out " + sizeNote + ": run `meshc graph` to draw it._")
		w.line("")
	}
	if w.over() {
		return "", false
	}
	out := strings.TrimRight(w.b.String(), "\n") + "\n"
	return out, len(out) <= limit
}

func (r *report) verdict() string {
	s, ds := r.p.Summary, r.p.Diagnostics
	total, bp := s.Create+s.Update+s.Delete, r.p.BreakingProducts()
	warnings := ""
	if n := ds.Count(diag.Warning); n > 0 {
		warnings = plural(n, "warning")
	}
	switch {
	case ds.HasErrors():
		v := "❌ " + plural(ds.Count(diag.Error), "error")
		if warnings != "" {
			v += " and " + warnings
		}
		return v + " — " + r.words.blocked
	case s.Breaking > 0:
		v := "⚠️ " + plural(s.Breaking, "breaking change") + " to " + plural(bp, "product")
		if total > bp {
			v += ", out of " + plural(total, "change")
		}
		if warnings != "" {
			v += " (" + warnings + ")"
		}
		return v
	case total == 0 && warnings == "":
		return "✅ " + r.words.none
	case total == 0:
		return "✅ " + r.words.none + " (" + warnings + ")"
	}
	v := "✅ " + plural(total, r.words.change) + ", none breaking"
	if warnings != "" {
		v += " (" + warnings + ")"
	}
	return v
}

func (r *report) header(w *writer) {
	if r.marker != "" {
		w.line(r.marker)
	}
	w.line("## " + text(r.title))
	w.line("")
	w.line("**" + r.verdict() + "**")
	w.line("")
	s := r.p.Summary
	w.line("| create | update | delete | breaking |")
	w.line("|---:|---:|---:|---:|")
	w.line(fmt.Sprintf("| %d | %d | %d | %d |", s.Create, s.Update, s.Delete, s.Breaking))
	w.line("")
	w.line(fmt.Sprintf(r.words.against, r.p.LiveSerial))
	w.line("")
}

func (r *report) skipped(w *writer) {
	if len(r.p.Skipped) == 0 {
		return
	}
	w.line("**Domains left as they are live:**")
	w.line("")
	var items []string
	for _, d := range slices.Sorted(maps.Keys(r.p.Skipped)) {
		items = append(items, code(d)+": "+text(r.p.Skipped[d].String()))
	}
	w.list(items, "domain")
	w.line("")
}

const teamsLead = "**Impacted teams:** "

// breakingTeamsLen is the size of a teams line naming only the teams of
// breaking changes.
func (r *report) breakingTeamsLen() int {
	n := len(teamsLead) + len(" and 9999999 more\n\n")
	for _, t := range r.breakingTeams {
		n += len(mention(t)) + len(", ")
	}
	return n
}

// teamsLine mentions every impacted team, so GitHub notifies them even when
// the details are collapsed. When they do not all fit, those impacted by a
// breaking change come first.
func (r *report) teamsLine(w *writer) {
	if len(r.teams) == 0 {
		return
	}
	all := make([]string, len(r.teams))
	for i, t := range r.teams {
		all[i] = mention(t)
	}
	if w.fit(teamsLead + strings.Join(all, ", ") + "\n\n") {
		return
	}
	order := slices.Clone(r.breakingTeams)
	for _, t := range r.teams {
		if !slices.Contains(order, t) {
			order = append(order, t)
		}
	}
	line := teamsLead
	for i, t := range order {
		next := mention(t)
		if i > 0 {
			next = ", " + next
		}
		if !w.room(len(line) + len(next) + 2) {
			line += fmt.Sprintf(" and %d more", len(order)-i)
			break
		}
		line += next
	}
	w.line(line)
	w.line("")
}

func (r *report) diagnostics(w *writer) {
	if len(r.diags) == 0 {
		return
	}
	w.line("### Errors and warnings")
	w.line("")
	groups := []struct {
		label, what string
	}{{"Errors", "error"}, {"Warnings", "warning"}, {"Notices", "notice"}}
	for rank, g := range groups {
		var items []string
		for _, d := range r.diags {
			if d.Severity.Rank() == rank {
				items = append(items, diagnosticItem(d))
			}
		}
		if len(items) == 0 {
			continue
		}
		w.line("**" + g.label + "**")
		w.line("")
		w.list(items, g.what)
		w.line("")
	}
}

func diagnosticItem(d diag.Diagnostic) string {
	s := "**" + text(d.Code) + "**"
	if p := d.Pos().String(); p != "" {
		s += " " + code(p)
	}
	s += " " + text(d.Message)
	switch {
	case d.Product != "":
		s += " (" + code(d.Product) + ")"
	case d.Domain != "":
		s += " (domain " + code(d.Domain) + ")"
	}
	return s
}

func (r *report) details(w *writer, d detail) {
	if len(r.domains) == 0 {
		return
	}
	w.line("### Changes")
	w.line("")
	for _, dom := range r.domains {
		w.line("#### " + text(dom))
		w.line("")
		for _, c := range r.byDomain[dom] {
			r.product(w, c, d)
			if w.over() {
				return
			}
		}
	}
}

// product writes one changed product as a <details> block, open when the
// change is breaking.
func (r *report) product(w *writer, c *plan.Change, d detail) {
	open := ""
	if len(c.Breaking) > 0 {
		open = " open"
	}
	w.line("<details" + open + "><summary>" + summaryHTML(c) + "</summary>")
	w.line("")
	switch {
	case len(c.Fields) == 0 && len(c.Breaking) == 0 && len(c.Impacted) == 0:
		switch c.Action {
		case plan.Create:
			w.line("A new product.")
		case plan.Delete:
			w.line("The product is removed from the catalog.")
		default:
			w.line("No field changes.")
		}
		w.line("")
	case len(c.Fields) == 0:
	case d >= detailBreakingFields && len(c.Breaking) == 0:
		w.line(plural(len(c.Fields), "field change") + ": the table is left out " + sizeNote + ".")
		w.line("")
	default:
		w.line("| path | before | after |")
		w.line("|---|---|---|")
		for _, f := range c.Fields {
			after := value(f.After)
			if f.Diff != "" {
				after += "<br>diff: " + code(truncate(f.Diff, maxDiffRunes))
			}
			w.line("| " + cell(code(truncate(f.Path, maxDiffRunes))) + " | " + cell(value(f.Before)) + " | " + cell(after) + " |")
		}
		w.line("")
	}
	if len(c.Breaking) > 0 {
		w.line("**Breaking changes**")
		w.line("")
		for _, b := range c.Breaking {
			s := "- **" + text(b.Rule) + "**"
			if b.Path != "" {
				s += " " + code(b.Path)
			}
			w.line(s + ": " + text(b.Message))
		}
		w.line("")
	}
	var direct, downstream []string
	for _, im := range c.Impacted {
		s := "- " + code(im.Product)
		if im.Team != "" {
			s += " " + mention(im.Team)
		}
		switch {
		case im.Via != "":
			downstream = append(downstream, s+", via "+code(im.Via))
		case im.Observed:
			direct = append(direct, s+", reads port "+code(im.Port)+" _(observed, not declared; last seen "+text(im.LastSeen)+")_")
		case im.Port != "":
			direct = append(direct, s+", reads port "+code(im.Port))
		default:
			direct = append(direct, s)
		}
	}
	for _, g := range []struct {
		label string
		items []string
	}{{"Direct consumers", direct}, {"Downstream consumers", downstream}} {
		if len(g.items) == 0 {
			continue
		}
		w.line("**" + g.label + "**")
		w.line("")
		for _, s := range g.items {
			w.line(s)
		}
		w.line("")
	}
	w.line("</details>")
	w.line("")
}

func symbol(action string) string {
	switch action {
	case plan.Create:
		return "+"
	case plan.Update:
		return "~"
	case plan.Delete:
		return "−"
	}
	return "?"
}

// summaryHTML is a <summary> line: raw HTML, since Markdown is not rendered
// inside an HTML block.
func summaryHTML(c *plan.Change) string {
	parts := []string{symbol(c.Action) + " " + escapeHTML(c.Action) + " <code>" + escapeHTML(c.Product) + "</code>"}
	for _, s := range versionStatus(c) {
		parts = append(parts, escapeHTML(s))
	}
	if c.Drift != "" {
		parts = append(parts, "drift: "+escapeHTML(plan.DriftText(c.Drift)))
	}
	if n := len(c.Breaking); n > 0 {
		parts = append(parts, "<b>"+plural(n, "breaking change")+"</b>")
	}
	if n := len(c.Impacted); n > 0 {
		parts = append(parts, plural(n, "consumer"))
	}
	return strings.Join(parts, " · ")
}

// versionStatus returns the product's version and status, each as
// "before → after" when it changes.
func versionStatus(c *plan.Change) []string {
	var out []string
	for _, get := range []func(*plan.VersionStatus) string{
		func(v *plan.VersionStatus) string { return v.Version },
		func(v *plan.VersionStatus) string { return v.Status },
	} {
		var b, a string
		if c.Before != nil {
			b = get(c.Before)
		}
		if c.After != nil {
			a = get(c.After)
		}
		switch {
		case b == a || a == "":
			a = b
		case b != "":
			a = b + " → " + a
		}
		if a != "" {
			out = append(out, a)
		}
	}
	return out
}

// markdownFormat is the pull-request report.
type markdownFormat struct{}

func init() { register(markdownFormat{}, 50) }

func (markdownFormat) Name() string { return "markdown" }

func (markdownFormat) Plan(w io.Writer, p *plan.Plan, o Options) error {
	_, err := fmt.Fprintln(w, Markdown(p, MarkdownOptions{Title: o.Title}))
	return err
}

func (markdownFormat) Reconcile(w io.Writer, r *result.Reconcile, o Options) error {
	_, err := fmt.Fprintln(w, Markdown(r.Plan, MarkdownOptions{Title: o.Title, Drift: true}))
	return err
}

func (markdownFormat) Validation(w io.Writer, v *result.Validation, o Options) error {
	_, err := io.WriteString(w, DiagnosticsMarkdown(o.Title, v.Diagnostics, DefaultMarkdownMaxLen))
	return err
}
