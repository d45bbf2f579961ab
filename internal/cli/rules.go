package cli

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/meshc-dev/meshc/pkg/engine"
	"github.com/meshc-dev/meshc/pkg/render"
	"github.com/meshc-dev/meshc/pkg/rule"
)

// runRules lists every registered rule, or explains one: `meshc rules ID`.
func runRules(_ context.Context, e *Env, args []string) error {
	fs := e.flags("rules")
	format := fs.String("format", "text", "output `format`: text|json")
	cfg := fs.String("config", "", "also the rules the platform policies of `mesh.cue` name")
	fs.checks = append(fs.checks, func() error {
		e.jsonErrors = *format == "json"
		if *format != "text" && *format != "json" {
			return usageError(fmt.Sprintf("unknown --format %q: use text|json", *format))
		}
		return nil
	})
	ids, err := fs.parse(args)
	if err != nil {
		return err
	}
	set, err := engine.Rules(*cfg)
	switch {
	case err != nil:
		return err
	case len(ids) > 1:
		return fs.usageErr("one rule ID at most, got %s", strings.Join(ids, " "))
	case len(ids) == 1:
		return explainRule(e, set, ids[0], *format)
	}
	rules := set.All()
	if *format == "json" {
		return render.JSON(e.Stdout, rules)
	}
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tCODE\tSTAGE\tPURPOSE")
	for _, r := range rules {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.ID, r.Code, r.Stage, r.Purpose)
	}
	tw.Flush()
	b.WriteString("\nRun 'meshc rules ID' for a rule's explanation and example.\n")
	_, err = fmt.Fprint(e.Stdout, b.String())
	return err
}

// explainRule prints one rule's explanation.
func explainRule(e *Env, set *rule.Set, id, format string) error {
	r, ok := set.Lookup(id)
	if !ok {
		hint := ": run meshc rules for the list"
		if s := set.Suggest(id); s != "" {
			hint = fmt.Sprintf("; did you mean %s?", s)
		}
		return usageError(fmt.Sprintf("no rule %q%s", id, hint))
	}
	if format == "json" {
		view := struct {
			rule.Rule
			Explanation string `json:"explanation"`
		}{r, r.Explanation}
		return render.JSON(e.Stdout, view)
	}
	_, err := fmt.Fprintf(e.Stdout, "%s: %s\n\nStage %s; reported under the code %s.\n\n%s\n", r.ID, r.Purpose, r.Stage, r.Code, r.Explanation)
	return err
}
