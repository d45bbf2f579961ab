package cli

import (
	"context"
	"fmt"

	"github.com/meshc-dev/meshc/pkg/check"
	"github.com/meshc-dev/meshc/pkg/plan"
	"github.com/meshc-dev/meshc/pkg/render"
)

func runRules(_ context.Context, e *Env, args []string) error {
	fs := e.flags("rules")
	format := fs.String("format", "text", "output `format`: text|json")
	if err := fs.parseNone(args); err != nil {
		return err
	}
	type rule struct{ ID, Stage, Purpose string }
	var rules []rule
	for _, r := range check.Rules() {
		rules = append(rules, rule{r.ID, r.Stage, r.Purpose})
	}
	for _, r := range plan.Rules() {
		rules = append(rules, rule{r.ID, r.Stage, r.Purpose})
	}
	rules = append(rules, rule{"waiver", "config", "a waiver in mesh.cue has expired while its diagnostics remain"})
	switch *format {
	case "json":
		return render.JSON(e.Stdout, rules)
	case "text":
		for _, r := range rules {
			fmt.Fprintf(e.Stdout, "%-18s %-8s %s\n", r.ID, r.Stage, r.Purpose)
		}
		return nil
	}
	return fs.usageErr("unknown --format %q: use text or json", *format)
}
