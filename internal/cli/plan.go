package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/meshc-dev/meshc/pkg/config"
	"github.com/meshc-dev/meshc/pkg/plan"
	"github.com/meshc-dev/meshc/pkg/render"
)

func runPlan(ctx context.Context, e *Env, args []string) error {
	fs := e.flags("plan")
	m, l := fs.mesh(), fs.load(true)
	out := fs.format(render.KindPlan, "text", true)
	github := fs.github()
	file := fs.String("out", "", "save the plan to `file`, for meshc apply")
	detailed := fs.Bool("detailed-exitcode", false, "exit 2 when the plan has changes")
	if err := fs.parseNone(args); err != nil {
		return err
	}
	l.wholeLive = *file != "" // a saved plan holds the whole desired catalog
	rep, err := startGitHub(e, *github)
	if err != nil {
		return err
	}
	eng, err := e.open(m, l)
	if err != nil {
		return err
	}
	pl, err := eng.Plan(ctx)
	if err != nil {
		return err
	}
	p, cfg := pl.Plan, eng.Config()
	var notSaved *plan.ErrorsError
	if *file != "" {
		if err := eng.SavePlan(*file, pl); err != nil && !errors.As(err, &notSaved) {
			return err
		}
	}
	if err := out.format.(render.PlanFormat).Plan(e.Stdout, p, out.opts(title("plan", cfg))); err != nil {
		return err
	}
	if notSaved != nil {
		// On stderr for the JSON and Markdown formats, whose stdout is a
		// document.
		w := e.Stderr
		if out.name == "text" {
			w = e.Stdout
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "%s.\n", upperFirst(notSaved.Error()))
	} else if *file != "" && out.name == "text" {
		fmt.Fprintf(e.Stdout, "\nSaved the plan to %s: apply it with meshc apply %s\n", *file, *file)
	}
	return rep.publish(ctx, e, planStatus(p, *detailed), "plan", cfg, p, nil)
}

// planStatus is 1 for a plan with errors, 2 for changes with
// --detailed-exitcode, else nil.
func planStatus(p *plan.Plan, detailed bool) error {
	switch {
	case p.Diagnostics.HasErrors():
		return exitStatus(ExitInvalid)
	case detailed && p.HasChanges():
		return exitStatus(ExitChanges)
	}
	return nil
}

// title is a report's heading: "meshc plan for acme".
func title(kind string, cfg *config.Config) string {
	if cfg == nil || cfg.Platform.Name == "" {
		return "meshc " + kind
	}
	return "meshc " + kind + " for " + cfg.Platform.Name
}
