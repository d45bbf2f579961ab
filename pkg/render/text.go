package render

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/meshc-dev/meshc/pkg/catalog"
	"github.com/meshc-dev/meshc/pkg/diag"
	"github.com/meshc-dev/meshc/pkg/plan"
	"github.com/meshc-dev/meshc/pkg/result"
	"github.com/meshc-dev/meshc/pkg/state"
)

// TextOptions tunes the terminal rendering of a plan.
type TextOptions struct {
	Color bool // ANSI colours, for terminals only
	Drift bool // speak of reconcile's drift rather than of a plan
}

// style wraps text in an ANSI colour when enabled.
type style bool

func (s style) paint(code, text string) string {
	if !s {
		return text
	}
	return "\x1b[" + code + "m" + text + "\x1b[0m"
}

func (s style) green(t string) string  { return s.paint("32", t) }
func (s style) yellow(t string) string { return s.paint("33", t) }
func (s style) red(t string) string    { return s.paint("31", t) }
func (s style) bold(t string) string   { return s.paint("1", t) }

var symbols = map[string]string{plan.Create: "+", plan.Update: "~", plan.Delete: "-"}

// PlanText writes a plan for terminals, like Terraform's: one block per
// changed product with its changed paths (+ added, ~ changed, - removed),
// breaking changes and impacted consumers, then the diagnostics and a
// closing summary.
func PlanText(w io.Writer, p *plan.Plan, o TextOptions) error {
	s, wd := style(o.Color), words(o.Drift)
	var b strings.Builder
	pending := p.Pending()
	if len(pending) == 0 {
		fmt.Fprintf(&b, wd.noneTxt+"\n", p.LiveSerial)
	} else {
		fmt.Fprintf(&b, wd.someTxt+"\n", p.LiveSerial)
	}
	prevDetailed := true
	for _, c := range pending {
		// Creates are one line each; a block with details stands apart
		// from its neighbours.
		detailed := len(c.Fields)+len(c.Breaking)+len(c.Impacted) > 0
		if detailed || prevDetailed {
			b.WriteString("\n")
		}
		prevDetailed = detailed
		sym := symbols[c.Action]
		head := fmt.Sprintf("  %s %s", sym, s.bold(c.Product))
		if v := versionLine(c); v != "" {
			head += "  " + v
		}
		if c.Drift != "" {
			head += fmt.Sprintf("  (%s; drift: %s)", c.Action, plan.DriftText(c.Drift))
		} else {
			head += fmt.Sprintf("  (%s)", c.Action)
		}
		b.WriteString(colorFor(s, c.Action)(head) + "\n")
		for _, f := range c.Fields {
			b.WriteString("      " + fieldLine(s, f) + "\n")
		}
		for _, br := range c.Breaking {
			fmt.Fprintf(&b, "      %s %s (%s)\n", s.red("! breaking:"), br.Message, br.Rule)
		}
		if len(c.Impacted) > 0 {
			fmt.Fprintf(&b, "      impacted: %s\n", impactList(c.Impacted))
		}
	}
	if len(p.Skipped) > 0 {
		b.WriteString("\n")
		for _, name := range catalog.SortedKeys(p.Skipped) {
			fmt.Fprintf(&b, "  domain %s left as it is live: %s\n", name, p.Skipped[name].String())
		}
	}
	if len(p.Diagnostics) > 0 {
		b.WriteString("\n")
		for _, d := range p.Diagnostics {
			line := DiagnosticLine(d)
			if d.Severity == diag.Error {
				line = s.red(line)
			}
			b.WriteString(line + "\n")
		}
	}
	sum := p.Summary
	fmt.Fprintf(&b, "\n%s: %d to create, %d to update, %d to delete, %d breaking", wd.total, sum.Create, sum.Update, sum.Delete, sum.Breaking)
	if sum.Breaking > 0 {
		fmt.Fprintf(&b, " (in %s)", plural(p.BreakingProducts(), "product"))
	}
	b.WriteString(".")
	if n := p.Diagnostics.Count(diag.Error); n > 0 {
		fmt.Fprintf(&b, " %s", s.red(fmt.Sprintf("%s: %s.", plural(n, "error"), wd.txtStop)))
	}
	b.WriteString("\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func colorFor(s style, action string) func(string) string {
	switch action {
	case plan.Create:
		return s.green
	case plan.Delete:
		return s.red
	}
	return s.yellow
}

func versionLine(c *plan.Change) string {
	switch {
	case c.Before == nil && c.After != nil:
		return c.After.Version + " " + c.After.Status
	case c.After == nil && c.Before != nil:
		return c.Before.Version + " " + c.Before.Status
	case c.Before != nil && c.After != nil:
		v := c.After.Version
		if c.Before.Version != c.After.Version {
			v = c.Before.Version + " → " + c.After.Version
		}
		st := c.After.Status
		if c.Before.Status != c.After.Status {
			st = c.Before.Status + " → " + c.After.Status
		}
		return v + " " + st
	}
	return ""
}

func fieldLine(s style, f plan.FieldChange) string {
	switch {
	case f.Before == nil:
		return s.green("+ "+f.Path) + " = " + Value(f.After)
	case f.After == nil:
		return s.red("- "+f.Path) + " (was " + Value(f.Before) + ")"
	case f.Diff != "":
		return s.yellow("~ "+f.Path) + ": " + f.Diff
	}
	return s.yellow("~ "+f.Path) + ": " + Value(f.Before) + " → " + Value(f.After)
}

// Value renders a field value compactly: JSON, cut at 80 characters.
func Value(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	out := string(b)
	if r := []rune(out); len(r) > 80 {
		out = string(r[:79]) + "…"
	}
	return out
}

func impactList(impacts []plan.Impact) string {
	var parts []string
	for _, im := range impacts {
		part := im.Product
		if im.Team != "" {
			part += " (" + im.Team + ")"
		}
		switch {
		case im.Port != "":
			part += " via port " + im.Port
		case im.Via != "":
			part += " through " + im.Via
		}
		if im.Observed {
			part += " (observed, last seen " + im.LastSeen + ")"
		}
		parts = append(parts, part)
	}
	return strings.Join(parts, ", ")
}

// textFormat is the default for terminals: what a person reads.
type textFormat struct{}

func init() { register(textFormat{}, 10) }

func (textFormat) Name() string { return "text" }

func (textFormat) Validation(w io.Writer, v *result.Validation, _ Options) error {
	return ValidationText(w, v)
}

func (textFormat) Plan(w io.Writer, p *plan.Plan, o Options) error {
	return PlanText(w, p, TextOptions{Color: o.Color})
}

// Apply says what an apply did. The plan itself was shown before the
// confirmation; a refused plan's errors were shown with it.
func (textFormat) Apply(w io.Writer, a *result.Apply, _ Options) error {
	var b strings.Builder
	if a.Replanned && a.Plan != nil {
		fmt.Fprintf(&b, "\nThe live catalog moved from serial %d to %d while applying: planned again against it.\n", a.From, a.Plan.LiveSerial)
		if a.Plan.Diagnostics.HasErrors() {
			for _, d := range a.Plan.Diagnostics.Errors() {
				b.WriteString(DiagnosticLine(d) + "\n")
			}
		} else if !a.Plan.Recordable() {
			b.WriteString("Another apply made these changes already: nothing is left to apply.\n")
		}
	}
	for _, d := range a.Diagnostics {
		b.WriteString(DiagnosticLine(d) + "\n")
	}
	switch p := a.Plan; {
	case !a.Applied || p == nil:
	case !p.HasChanges():
		fmt.Fprintf(&b, "\nNo product changes; recorded the new revisions of %s: the live catalog is at serial %d.\n",
			strings.Join(p.Moved, ", "), a.Serial)
	default:
		s := p.Summary
		fmt.Fprintf(&b, "\nApply complete: %d created, %d updated, %d deleted; the live catalog is at serial %d.\n",
			s.Create, s.Update, s.Delete, a.Serial)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func (textFormat) Reconcile(w io.Writer, r *result.Reconcile, o Options) error {
	if err := PlanText(w, r.Plan, TextOptions{Color: o.Color, Drift: true}); err != nil {
		return err
	}
	if r.Applied {
		_, err := fmt.Fprintf(w, "\nDrift repaired: the live catalog is at serial %d.\n", r.Serial)
		return err
	}
	return nil
}

// Catalog lists the live catalog's products, one line each.
func (textFormat) Catalog(w io.Writer, live *state.Catalog, _ Options) error {
	if live.Serial == 0 {
		_, err := fmt.Fprintln(w, "The live catalog is empty: run meshc apply to publish the mesh.")
		return err
	}
	fmt.Fprintf(w, "Live catalog: serial %d, lineage %s, %d products in %d domains\n\n",
		live.Serial, live.Lineage, len(live.Products), len(live.Domains))
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PRODUCT\tVERSION\tSTATUS\tTEAM\tOUTPUT PORTS\tINPUTS")
	for _, id := range catalog.SortedKeys(live.Products) {
		p := live.Products[id]
		team := ""
		if d := live.Domains[p.Domain]; d != nil {
			team = d.Team.GitHub
		}
		var inputs []string
		for _, name := range catalog.SortedKeys(p.InputPorts) {
			inputs = append(inputs, p.InputPorts[name].Product)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", id, p.Version, p.Status, team,
			strings.Join(catalog.SortedKeys(p.OutputPorts), ","), orDash(strings.Join(inputs, ",")))
	}
	return tw.Flush()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// History lists the applied plans, one line each.
func (textFormat) History(w io.Writer, entries []state.Entry, _ Options) error {
	if len(entries) == 0 {
		_, err := fmt.Fprintln(w, "No plan has been applied yet.")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SERIAL\tAPPLIED\tBY\tCREATE\tUPDATE\tDELETE\tBREAKING\tSOURCES")
	for _, h := range entries {
		var srcs []string
		for _, name := range catalog.SortedKeys(h.Sources) {
			s := h.Sources[name]
			rev := s.Commit
			if len(rev) > 12 {
				rev = rev[:12]
			}
			if rev == "" {
				rev = s.Path
			}
			srcs = append(srcs, name+"@"+rev)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%d\t%d\t%d\t%s\n", h.Serial, h.Time.UTC().Format(time.RFC3339), h.User,
			h.Summary.Create, h.Summary.Update, h.Summary.Delete, h.Summary.Breaking, strings.Join(srcs, " "))
	}
	return tw.Flush()
}
