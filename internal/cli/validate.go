package cli

import (
	"context"
	"fmt"

	"github.com/meshc-dev/meshc/pkg/check"
	"github.com/meshc-dev/meshc/pkg/diag"
	"github.com/meshc-dev/meshc/pkg/plan"
	"github.com/meshc-dev/meshc/pkg/render"
)

func runValidate(ctx context.Context, e *Env, args []string) int {
	fs := e.flags("validate")
	var c common
	c.register(fs, "text", "json")
	c.registerGitHub(fs)
	if code, ok := e.parseCommon(fs, &c, args); !ok {
		return code
	}
	gh, err := startGitHub(e, c.github)
	if err != nil {
		return e.fail(err)
	}
	l, err := c.load(ctx, e, false, false)
	if err != nil {
		return e.fail(err)
	}
	res := l.res
	res.Diagnostics = diag.Waive(res.Diagnostics, l.cfg.Waivers, e.Now())
	v := render.NewValidation(len(res.Mesh.Domains), len(res.Mesh.Products), res.Diagnostics)
	if c.format == "json" {
		err = render.JSON(e.Stdout, v)
	} else {
		err = render.ValidationText(e.Stdout, v)
	}
	if err != nil {
		return e.fail(err)
	}
	code := ExitOK
	if !v.Valid {
		code = ExitInvalid
	}
	return gh.publish(ctx, e, code, "validate", l.cfg, nil, res.Diagnostics)
}

func runRules(_ context.Context, e *Env, args []string) int {
	fs := e.flags("rules")
	format := fs.String("format", "text", "output `format`: text|json")
	if code, ok := e.parse(fs, args); !ok {
		return code
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
		if err := render.JSON(e.Stdout, rules); err != nil {
			return e.fail(err)
		}
	case "text":
		for _, r := range rules {
			fmt.Fprintf(e.Stdout, "%-18s %-8s %s\n", r.ID, r.Stage, r.Purpose)
		}
	default:
		return e.fail(fmt.Errorf("unknown --format %q: use text or json", *format))
	}
	return ExitOK
}
