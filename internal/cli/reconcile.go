package cli

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/meshc-dev/meshc/pkg/catalog"
	"github.com/meshc-dev/meshc/pkg/engine"
	"github.com/meshc-dev/meshc/pkg/render"
	"github.com/meshc-dev/meshc/pkg/result"
)

func runReconcile(ctx context.Context, e *Env, args []string) error {
	fs := e.flags("reconcile")
	m, l := fs.mesh(), fs.load(false)
	lockTimeout := fs.lockTimeout()
	fs.refused["domain"] = "reconcile reads every domain at its ref: --domain does not apply"
	fs.refused["others"] = fs.refused["domain"]
	out := fs.format(render.KindReconcile, "text", true)
	github := fs.github()
	repair := fs.Bool("apply", false, "repair the drift: apply the plan, within the lifecycle rules, asking on a terminal")
	auto := fs.Bool("auto-approve", false, "with --apply, repair without asking for confirmation (--watch never asks)")
	fs.requires("auto-approve", "apply")
	detailed := fs.Bool("detailed-exitcode", false, "exit 2 when drift is found")
	watch := fs.Bool("watch", false, "run as a service: reconcile every --interval until SIGTERM")
	interval := fs.Duration("interval", 10*time.Minute, "time between cycles with --watch")
	logFormat := fs.String("log-format", "text", "with --watch, log `format`: text|json")
	fs.requires("interval", "watch")
	fs.requires("log-format", "watch")
	if err := fs.parseNone(args); err != nil {
		return err
	}
	if !*watch {
		eng, err := e.open(m, l, *lockTimeout)
		if err != nil {
			return err
		}
		return reconcileOnce(ctx, e, eng, out, *github, *repair, *auto, *detailed)
	}
	if *github {
		return fs.usageErr("--github reports one run: it does not go with --watch")
	}
	if *interval <= 0 {
		return fs.usageErr("--interval must be positive, got %s", *interval)
	}
	var h slog.Handler
	switch *logFormat {
	case "json":
		h = slog.NewJSONHandler(e.Stderr, nil)
	case "text":
		h = slog.NewTextHandler(e.Stderr, nil)
	default:
		return fs.usageErr("unknown --log-format %q: use text or json", *logFormat)
	}
	l.log = slog.New(h)
	eng, err := e.open(m, l, *lockTimeout)
	if err != nil {
		return err
	}
	reconcileWatch(ctx, eng, m.config, *repair, *interval, l.log)
	return nil
}

// reconcileOnce runs one cycle and reports it. A repair is shown first
// and, without --auto-approve, confirmed on a terminal, as apply does.
func reconcileOnce(ctx context.Context, e *Env, eng *engine.Engine, out *output, github, repair, auto, detailed bool) error {
	rep, err := startGitHub(e, github)
	if err != nil {
		return err
	}
	pl, r, err := eng.Drift(ctx)
	if err != nil {
		return err
	}
	if repair && auto {
		if r, err = eng.Repair(ctx, pl, r); err != nil {
			return err
		}
	}
	cfg := eng.Config()
	f, opts := out.format.(render.ReconcileFormat), out.opts(title("reconcile", cfg))
	if err := f.Reconcile(e.Stdout, r, opts); err != nil {
		return err
	}
	for _, d := range append(slices.Clone(r.Unreadable), r.Failed...) {
		fmt.Fprintf(e.Stderr, "meshc: domain %s skipped, its products left as they are: %s\n", d, r.Plan.Skipped[d])
	}
	if repair && !auto && r.Plan.Recordable() && !r.Plan.Diagnostics.HasErrors() {
		if !e.Interactive {
			return usageError("reconcile --apply needs confirmation: run it on a terminal, or pass --auto-approve (as a scheduled job does)")
		}
		if !confirm(e, "\nRepair the drift in the live catalog? Only 'yes' will be accepted: ") {
			fmt.Fprintln(e.Stdout, "Repair cancelled: nothing was changed.")
			return rep.publish(ctx, e, reconcileStatus(r, detailed), "reconcile", cfg, r.Plan, nil)
		}
		if r, err = eng.Repair(ctx, pl, r); err != nil {
			return err
		}
		if out.name == "text" && r.Applied {
			fmt.Fprintf(e.Stdout, "\nDrift repaired: the live catalog is at serial %d.\n", r.Serial)
		}
		for _, d := range r.Plan.Diagnostics.Errors() {
			fmt.Fprintln(e.Stderr, render.DiagnosticLine(d))
		}
	}
	return rep.publish(ctx, e, reconcileStatus(r, detailed), "reconcile", cfg, r.Plan, nil)
}

// reconcileStatus is 1 for errors, 3 when a domain was skipped (once the
// others are done), 2 for drift with --detailed-exitcode.
func reconcileStatus(r *result.Reconcile, detailed bool) error {
	switch {
	case r.Plan.Diagnostics.HasErrors():
		return exitStatus(ExitInvalid)
	case len(r.Unreadable) > 0 || len(r.Failed) > 0:
		return exitStatus(ExitFailure)
	case detailed && r.Plan.HasChanges():
		return exitStatus(ExitChanges)
	}
	return nil
}

// reconcileWatch reconciles every interval until ctx is cancelled (SIGTERM
// or interrupt). The signal cuts a cycle's fetches and evaluation short at
// once, even from a remote that never answers; an apply that has begun is
// finished first, so it is never cut in half.
func reconcileWatch(ctx context.Context, eng *engine.Engine, config string, repair bool, interval time.Duration, log *slog.Logger) {
	log.Info("reconcile service started", "config", config, "interval", interval.String(), "apply", repair)
	for n := 1; ; n++ {
		start := time.Now()
		r, err := eng.Reconcile(ctx, repair)
		switch {
		case err != nil && ctx.Err() != nil:
			log.Info("reconcile cycle cancelled", "cycle", n, "duration_ms", time.Since(start).Milliseconds())
		case err != nil:
			log.Error("reconcile cycle failed", "cycle", n, "error", err.Error())
		default:
			logCycle(log, n, time.Since(start), r)
		}
		select {
		case <-ctx.Done():
			log.Info("reconcile service stopping", "cycles", n)
			return
		case <-time.After(interval):
		}
	}
}

func logCycle(log *slog.Logger, n int, took time.Duration, r *result.Reconcile) {
	p := r.Plan
	s := p.Summary
	attrs := []any{"cycle", n, "duration_ms", took.Milliseconds(),
		"create", s.Create, "update", s.Update, "delete", s.Delete, "breaking", s.Breaking,
		"errors", len(p.Diagnostics.Errors()), "applied", r.Applied}
	if len(r.Unreadable) > 0 {
		attrs = append(attrs, "skipped", r.Unreadable)
	}
	if len(r.Failed) > 0 {
		attrs = append(attrs, "failed", r.Failed)
	}
	for _, ch := range p.Pending() {
		log.Info("drift", "cycle", n, "product", ch.Product, "action", ch.Action, "drift", ch.Drift)
	}
	for _, d := range catalog.SortedKeys(p.Skipped) {
		log.Warn("domain skipped", "cycle", n, "domain", d, "reason", p.Skipped[d].String())
	}
	log.Info("reconcile cycle done", attrs...)
}
