package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/meshc-dev/meshc/pkg/engine"
	"github.com/meshc-dev/meshc/pkg/render"
	"github.com/meshc-dev/meshc/pkg/result"
)

func runApply(ctx context.Context, e *Env, args []string) error {
	fs := e.flags("apply")
	m, l := fs.mesh(), fs.load(true)
	lockTimeout := fs.lockTimeout()
	out := fs.format(render.KindApply, "text", true)
	github := fs.github()
	auto := fs.Bool("auto-approve", false, "apply without asking for confirmation")
	files, err := fs.parse(args)
	if err != nil {
		return err
	}
	if len(files) > 1 {
		return fs.usageErr("one plan file at most, got %s", strings.Join(files, " "))
	}
	rep, err := startGitHub(e, *github)
	if err != nil {
		return err
	}
	eng, err := e.open(m, l, *lockTimeout)
	if err != nil {
		return err
	}
	var pl *engine.Planned
	if len(files) == 1 {
		pl, err = eng.LoadPlan(files[0])
	} else {
		pl, err = eng.Plan(ctx)
	}
	if err != nil {
		return err
	}
	status := apply(ctx, e, eng, out, pl, *auto)
	return rep.publish(ctx, e, status, "apply", eng.Config(), pl.Plan, nil)
}

// apply applies pl and reports it. A plan made in this run is shown first
// and, without --auto-approve, confirmed on a terminal.
func apply(ctx context.Context, e *Env, eng *engine.Engine, out *output, pl *engine.Planned, auto bool) error {
	p := pl.Plan
	f := out.format.(render.ApplyFormat)
	opts := out.opts(title("apply", eng.Config()))
	if pl.Fresh {
		if pf, ok := out.format.(render.PlanFormat); ok && out.name == "text" {
			if err := pf.Plan(e.Stdout, p, opts); err != nil {
				return err
			}
		}
		if !p.Recordable() && !p.Diagnostics.HasErrors() {
			if out.name == "json" {
				return f.Apply(e.Stdout, &result.Apply{Serial: p.LiveSerial, Plan: p}, opts)
			}
			return nil
		}
		if p.Diagnostics.HasErrors() {
			if out.name == "json" {
				return errors.Join(f.Apply(e.Stdout, &result.Apply{Plan: p}, opts), exitStatus(ExitInvalid))
			}
			return exitStatus(ExitInvalid) // the plan above showed its errors
		}
		if !auto && p.HasChanges() {
			if !e.Interactive {
				return usageError("apply needs confirmation: run it on a terminal, or pass --auto-approve (as CI does), or apply a saved plan")
			}
			if !confirm(e, "\nApply these changes to the live catalog? Only 'yes' will be accepted: ") {
				fmt.Fprintln(e.Stdout, "Apply cancelled: nothing was changed.")
				return nil
			}
		}
	}
	res, err := eng.Apply(ctx, pl)
	if errors.Is(err, engine.ErrHasErrors) && out.name == "json" {
		return errors.Join(f.Apply(e.Stdout, res, opts), exitStatus(ExitInvalid))
	}
	if err != nil {
		return err
	}
	if err := f.Apply(e.Stdout, res, opts); err != nil {
		return err
	}
	if !res.Applied && (res.Diagnostics.HasErrors() || res.Plan.Diagnostics.HasErrors()) {
		return exitStatus(ExitInvalid)
	}
	return nil
}

// confirm asks question on the terminal; only "yes" is yes.
func confirm(e *Env, question string) bool {
	fmt.Fprint(e.Stdout, question)
	answer, _ := bufio.NewReader(e.Stdin).ReadString('\n')
	return strings.TrimSpace(answer) == "yes"
}
