package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"time"

	"github.com/meshc-dev/meshc/pkg/config"
	"github.com/meshc-dev/meshc/pkg/plan"
)

func runReconcile(ctx context.Context, e *Env, args []string) int {
	fs := e.flags("reconcile")
	var c common
	c.register(fs, "text", "json", "markdown")
	c.registerGitHub(fs)
	doApply := fs.Bool("apply", false, "repair the drift: apply the plan, within the lifecycle rules")
	detailed := fs.Bool("detailed-exitcode", false, "exit 2 when drift is found")
	watch := fs.Bool("watch", false, "run as a service: reconcile every --interval until SIGTERM")
	interval := fs.Duration("interval", 10*time.Minute, "time between cycles with --watch")
	logFormat := fs.String("log-format", "text", "with --watch, log `format`: text|json")
	if code, ok := e.parseCommon(fs, &c, args); !ok {
		return code
	}
	if len(c.domains.m) > 0 {
		return e.fail(errors.New("reconcile reads every domain at its ref: --domain does not apply"))
	}
	c.others = "source"
	if !*watch {
		return reconcileOnce(ctx, e, &c, *doApply, *detailed)
	}
	if c.github {
		return e.fail(errors.New("--github reports one run: it does not go with --watch"))
	}
	if *interval <= 0 {
		return e.fail(fmt.Errorf("--interval must be positive, got %s", *interval))
	}
	var h slog.Handler
	switch *logFormat {
	case "json":
		h = slog.NewJSONHandler(e.Stderr, nil)
	case "text":
		h = slog.NewTextHandler(e.Stderr, nil)
	default:
		return e.fail(fmt.Errorf("unknown --log-format %q: use text or json", *logFormat))
	}
	return reconcileWatch(ctx, e, &c, *doApply, *interval, slog.New(h))
}

// cycle is one reconcile: what it found and did.
type cycle struct {
	cfg        *config.Config
	plan       *plan.Plan
	unreadable []string
	applied    bool
	serial     int64
	code       int
}

// reconcileOnce runs one cycle and reports it.
func reconcileOnce(ctx context.Context, e *Env, c *common, doApply, detailed bool) int {
	gh, err := startGitHub(e, c.github)
	if err != nil {
		return e.fail(err)
	}
	cy, err := reconcile(ctx, e, c, doApply)
	if err != nil {
		return e.fail(err)
	}
	if err := renderPlan(e, c.format, cy.plan, cy.cfg); err != nil {
		return e.fail(err)
	}
	if cy.applied && c.format == "text" {
		fmt.Fprintf(e.Stdout, "\nDrift repaired: the live catalog is at serial %d.\n", cy.serial)
	}
	for _, d := range cy.unreadable {
		fmt.Fprintf(e.Stderr, "meshc: domain %s skipped, its products left as they are: %s\n", d, cy.plan.Skipped[d])
	}
	code := cy.code
	if code == ExitOK && detailed && cy.plan.HasChanges() {
		code = ExitChanges
	}
	return gh.publish(ctx, e, code, "reconcile", cy.cfg, cy.plan, nil)
}

// reconcile plans every readable domain at its ref against the live
// catalog, labels the drift, and repairs it when asked. A domain whose
// source cannot be read is left exactly as it is live.
func reconcile(ctx context.Context, e *Env, c *common, doApply bool) (*cycle, error) {
	pl, err := makePlan(ctx, e, c, true)
	if err != nil {
		return nil, err
	}
	p := pl.plan
	plan.ClassifyDrift(p, pl.live)
	cy := &cycle{cfg: pl.cfg, plan: p, code: ExitOK}
	for d, why := range p.Skipped {
		if why != "its CUE could not be evaluated" {
			cy.unreadable = append(cy.unreadable, d)
		}
	}
	slices.Sort(cy.unreadable)
	switch {
	case p.Diagnostics.HasErrors():
		cy.code = ExitInvalid
	case doApply && p.Recordable():
		serial, err := apply(ctx, e, pl.store, p)
		var stale *plan.StaleError
		if errors.As(err, &stale) {
			return nil, fmt.Errorf("the live catalog changed while reconciling: %w", err)
		}
		if err != nil {
			return nil, err
		}
		cy.applied, cy.serial = true, serial
	}
	if len(cy.unreadable) > 0 && cy.code == ExitOK {
		cy.code = ExitFailure
	}
	return cy, nil
}

// reconcileWatch reconciles every interval until ctx is cancelled (SIGTERM
// or interrupt); a cycle in hand is finished first, so an apply is never
// cut in half.
func reconcileWatch(ctx context.Context, e *Env, c *common, doApply bool, interval time.Duration, log *slog.Logger) int {
	log.Info("reconcile service started", "config", c.config, "interval", interval.String(), "apply", doApply)
	for n := 1; ; n++ {
		start := time.Now()
		cy, err := reconcile(context.WithoutCancel(ctx), e, c, doApply)
		switch {
		case err != nil:
			log.Error("reconcile cycle failed", "cycle", n, "error", err.Error())
		default:
			s := cy.plan.Summary
			attrs := []any{"cycle", n, "duration_ms", time.Since(start).Milliseconds(),
				"create", s.Create, "update", s.Update, "delete", s.Delete, "breaking", s.Breaking,
				"errors", len(cy.plan.Diagnostics.Errors()), "applied", cy.applied}
			if len(cy.unreadable) > 0 {
				attrs = append(attrs, "skipped", cy.unreadable)
			}
			for _, ch := range cy.plan.Pending() {
				log.Info("drift", "cycle", n, "product", ch.Product, "action", ch.Action, "drift", ch.Drift)
			}
			for _, d := range slices.Sorted(maps.Keys(cy.plan.Skipped)) {
				log.Warn("domain skipped", "cycle", n, "domain", d, "reason", cy.plan.Skipped[d])
			}
			log.Info("reconcile cycle done", attrs...)
		}
		select {
		case <-ctx.Done():
			log.Info("reconcile service stopping", "cycles", n)
			return ExitOK
		case <-time.After(interval):
		}
	}
}
