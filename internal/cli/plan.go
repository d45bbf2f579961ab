package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strings"

	"github.com/meshc-dev/meshc/pkg/config"
	"github.com/meshc-dev/meshc/pkg/diag"
	"github.com/meshc-dev/meshc/pkg/plan"
	"github.com/meshc-dev/meshc/pkg/render"
	"github.com/meshc-dev/meshc/pkg/state"
)

// planned is a plan made in this run, with what it was made from.
type planned struct {
	cfg   *config.Config
	store state.Store
	live  *state.Catalog // what the plan was made against; nil for a saved plan
	plan  *plan.Plan
}

// makePlan loads and checks the mesh and diffs it against the live
// catalog. Products whose desired state is unknown (schema errors) and
// domains that failed to evaluate stay as they are live.
func makePlan(ctx context.Context, e *Env, c *common, tolerant bool) (*planned, error) {
	l, err := c.load(ctx, e, true, tolerant)
	if err != nil {
		return nil, err
	}
	cfg, res, st, live := l.cfg, l.res, l.store, l.live
	skip := map[string]string{}
	for d := range res.Failed {
		skip[d] = "its CUE could not be evaluated"
	}
	for d := range res.Others {
		skip[d] = "taken from the live catalog"
	}
	for d, err := range res.Unreadable {
		skip[d] = "its source could not be read: " + err.Error()
	}
	p := plan.Diff(res.Mesh, live, plan.Options{
		Today:         e.Now(),
		MinSunsetDays: cfg.Lifecycle.MinSunsetDays,
		Skip:          skip,
		Unknown:       res.Invalid,
	})
	p.Diagnostics = append(p.Diagnostics, res.Diagnostics...)
	p.Diagnostics.Sort()
	p.Diagnostics = waive(e, cfg, p.Diagnostics.Compact(), res.WaiverScope(live.Products))
	return &planned{cfg: cfg, store: st, live: live, plan: p}, nil
}

func runPlan(ctx context.Context, e *Env, args []string) int {
	fs := e.flags("plan")
	var c common
	c.register(fs, "text", "json", "markdown")
	c.registerGitHub(fs)
	out := fs.String("out", "", "save the plan to `file`, for meshc apply")
	detailed := fs.Bool("detailed-exitcode", false, "exit 2 when the plan has changes")
	if code, ok := e.parseCommon(fs, &c, args); !ok {
		return code
	}
	gh, err := startGitHub(e, c.github)
	if err != nil {
		return e.fail(err)
	}
	pl, err := makePlan(ctx, e, &c, false)
	if err != nil {
		return e.fail(err)
	}
	p := pl.plan
	if *out != "" {
		if err := savePlan(*out, p); err != nil {
			return e.fail(err)
		}
	}
	if err := renderPlan(e, c.format, p, pl.cfg); err != nil {
		return e.fail(err)
	}
	if *out != "" && c.format == "text" {
		if p.Diagnostics.HasErrors() {
			fmt.Fprintf(e.Stdout, "\nSaved the plan to %s, but it cannot be applied until its errors are fixed.\n", *out)
		} else {
			fmt.Fprintf(e.Stdout, "\nSaved the plan to %s: apply it with meshc apply %s\n", *out, *out)
		}
	}
	return gh.publish(ctx, e, planExit(p, *detailed), "plan", pl.cfg, p, nil)
}

func planExit(p *plan.Plan, detailed bool) int {
	switch {
	case p.Diagnostics.HasErrors():
		return ExitInvalid
	case detailed && p.HasChanges():
		return ExitChanges
	}
	return ExitOK
}

// renderPlan prints p in format.
func renderPlan(e *Env, format string, p *plan.Plan, cfg *config.Config) error {
	switch format {
	case "json":
		view := *p
		view.Desired = nil // what a saved plan carries, not what readers want
		return render.JSON(e.Stdout, &view)
	case "markdown":
		title := "meshc plan"
		if cfg != nil {
			title += " for " + cfg.Platform.Name
		}
		_, err := fmt.Fprintln(e.Stdout, render.Markdown(p, render.MarkdownOptions{Title: title}))
		return err
	}
	return render.PlanText(e.Stdout, p, render.TextOptions{Color: e.Color})
}

// savePlan writes p, desired catalog included, for a later apply.
func savePlan(path string, p *plan.Plan) error {
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return err
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

func loadPlan(path string) (*plan.Plan, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading plan: %w", err)
	}
	var p plan.Plan
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("%s is not a meshc plan: %v", path, err)
	}
	if p.FormatVersion != plan.FormatVersion {
		return nil, fmt.Errorf("%s is not a meshc plan of format %s (it says %q): make it again with meshc plan -out", path, plan.FormatVersion, p.FormatVersion)
	}
	return &p, nil
}

func runApply(ctx context.Context, e *Env, args []string) int {
	fs := e.flags("apply")
	var c common
	c.register(fs, "text", "json")
	c.registerGitHub(fs)
	auto := fs.Bool("auto-approve", false, "apply without asking for confirmation")
	files, err := parseInterspersed(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return ExitOK
	} else if err != nil {
		return ExitFailure
	}
	if len(files) > 1 {
		fmt.Fprintf(e.Stderr, "meshc apply: one plan file at most, got %s\n", strings.Join(files, " "))
		return ExitFailure
	}
	if err := c.check(); err != nil {
		return e.fail(err)
	}
	gh, err := startGitHub(e, c.github)
	if err != nil {
		return e.fail(err)
	}
	var pl *planned
	if len(files) == 1 {
		pl, err = loadSaved(&c, files[0])
	} else {
		pl, err = makePlan(ctx, e, &c, false)
	}
	if err != nil {
		return e.fail(err)
	}
	code := applyPlanned(ctx, e, &c, pl, len(files) == 0, *auto)
	return gh.publish(ctx, e, code, "apply", pl.cfg, pl.plan, nil)
}

// loadSaved reads a plan saved by meshc plan -out, for the live catalog
// named by the flags.
func loadSaved(c *common, path string) (*planned, error) {
	p, err := loadPlan(path)
	if err != nil {
		return nil, err
	}
	cfg, err := config.Load(c.config)
	if err != nil {
		return nil, err
	}
	return &planned{cfg: cfg, store: c.store(cfg), plan: p}, nil
}

// applyPlanned applies pl and reports it. A plan made in this run is shown
// first and, without --auto-approve, confirmed on a terminal.
func applyPlanned(ctx context.Context, e *Env, c *common, pl *planned, fresh, auto bool) int {
	p := pl.plan
	if fresh {
		if c.format == "text" {
			if err := render.PlanText(e.Stdout, p, render.TextOptions{Color: e.Color}); err != nil {
				return e.fail(err)
			}
		}
		if !p.Recordable() && !p.Diagnostics.HasErrors() {
			if c.format == "json" {
				render.JSON(e.Stdout, applyResult{Applied: false, Serial: p.LiveSerial, Plan: p})
			}
			return ExitOK
		}
	}
	if p.Diagnostics.HasErrors() {
		if c.format == "json" {
			render.JSON(e.Stdout, applyResult{Applied: false, Plan: p})
		} else if !fresh {
			fmt.Fprintf(e.Stderr, "meshc: the plan has %d errors and cannot be applied\n", p.Diagnostics.Count(diag.Error))
		}
		return ExitInvalid
	}
	if fresh && !auto && p.HasChanges() {
		if !e.Interactive {
			return e.fail(errors.New("apply needs confirmation: run it on a terminal, or pass --auto-approve (as CI does), or apply a saved plan"))
		}
		fmt.Fprint(e.Stdout, "\nApply these changes to the live catalog? Only 'yes' will be accepted: ")
		answer, _ := bufio.NewReader(e.Stdin).ReadString('\n')
		if strings.TrimSpace(answer) != "yes" {
			fmt.Fprintln(e.Stdout, "Apply cancelled: nothing was changed.")
			return ExitOK
		}
	}
	serial, err := apply(ctx, e, pl.store, p)
	var stale *plan.StaleError
	if errors.As(err, &stale) {
		d := stale.Diagnostic()
		p.Diagnostics = append(p.Diagnostics, d)
		if c.format == "json" {
			render.JSON(e.Stdout, applyResult{Applied: false, Diagnostics: diag.Diagnostics{d}})
		} else {
			fmt.Fprintln(e.Stdout, render.DiagnosticLine(d))
		}
		return ExitInvalid
	}
	if err != nil {
		return e.fail(err)
	}
	if c.format == "json" {
		view := *p
		view.Desired = nil
		render.JSON(e.Stdout, applyResult{Applied: true, Serial: serial, Plan: &view})
		return ExitOK
	}
	s := p.Summary
	if !p.HasChanges() {
		fmt.Fprintf(e.Stdout, "\nNo product changes; recorded the new revisions of %s: the live catalog is at serial %d.\n",
			strings.Join(p.Moved, ", "), serial)
		return ExitOK
	}
	fmt.Fprintf(e.Stdout, "\nApply complete: %d created, %d updated, %d deleted; the live catalog is at serial %d.\n",
		s.Create, s.Update, s.Delete, serial)
	return ExitOK
}

// applyResult is apply's JSON output.
type applyResult struct {
	Applied     bool             `json:"applied"`
	Serial      int64            `json:"serial,omitempty"`
	Plan        *plan.Plan       `json:"plan,omitempty"`
	Diagnostics diag.Diagnostics `json:"diagnostics,omitempty"`
}

// apply writes p to st under its lock, refusing a plan the live catalog has
// moved away from; it returns the new serial.
func apply(ctx context.Context, e *Env, st state.Store, p *plan.Plan) (int64, error) {
	who := actor(e)
	lock, err := st.Lock(ctx, who+" (meshc apply)")
	if err != nil {
		return 0, err
	}
	defer lock.Unlock()
	live, err := st.Read(ctx)
	if err != nil {
		return 0, err
	}
	next, err := p.Apply(live, who, e.Now())
	if err != nil {
		return 0, err
	}
	if err := lock.Write(ctx, next, live.Serial); err != nil {
		return 0, err
	}
	return next.Serial, nil
}

// actor names who applies: MESHC_USER, the GitHub actor in Actions, or
// the local user.
func actor(e *Env) string {
	for _, k := range []string{"MESHC_USER", "GITHUB_ACTOR"} {
		if v := e.Getenv(k); v != "" {
			return v
		}
	}
	name := "unknown"
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	if h, err := os.Hostname(); err == nil {
		name += "@" + h
	}
	return name
}
