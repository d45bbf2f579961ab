package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/meshc-dev/meshc/pkg/render"
	"github.com/meshc-dev/meshc/pkg/rule"
)

// runRules lists every registered rule, or explains one: `meshc rules ID`.
func runRules(_ context.Context, e *Env, args []string) int {
	fs := e.flags("rules")
	format := fs.String("format", "text", "output `format`: text|json")
	ids, err := parseInterspersed(fs, args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return ExitOK
	case err != nil:
		return ExitFailure
	case len(ids) > 1:
		fmt.Fprintf(e.Stderr, "meshc rules: one rule ID at most, got %s\n", strings.Join(ids, " "))
		return ExitFailure
	case *format != "text" && *format != "json":
		return e.fail(fmt.Errorf("unknown --format %q: use text|json", *format))
	}
	if len(ids) == 1 {
		return explainRule(e, ids[0], *format)
	}
	rules := rule.All()
	if *format == "json" {
		if err := render.JSON(e.Stdout, rules); err != nil {
			return e.fail(err)
		}
		return ExitOK
	}
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tCODE\tSTAGE\tPURPOSE")
	for _, r := range rules {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.ID, r.Code, r.Stage, r.Purpose)
	}
	tw.Flush()
	b.WriteString("\nRun 'meshc rules ID' for a rule's explanation and example.\n")
	fmt.Fprint(e.Stdout, b.String())
	return ExitOK
}

// explainRule prints one rule's explanation.
func explainRule(e *Env, id, format string) int {
	r, ok := rule.Lookup(id)
	if !ok {
		hint := ": run meshc rules for the list"
		if s := rule.Suggest(id); s != "" {
			hint = fmt.Sprintf("; did you mean %s?", s)
		}
		return e.fail(fmt.Errorf("no rule %q%s", id, hint))
	}
	if format == "json" {
		view := struct {
			rule.Rule
			Explanation string `json:"explanation"`
		}{r, r.Explanation}
		if err := render.JSON(e.Stdout, view); err != nil {
			return e.fail(err)
		}
		return ExitOK
	}
	fmt.Fprintf(e.Stdout, "%s: %s\n\nStage %s; reported under the code %s.\n\n%s\n", r.ID, r.Purpose, r.Stage, r.Code, r.Explanation)
	return ExitOK
}
