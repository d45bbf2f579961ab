package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/meshc-dev/meshc/pkg/engine"
	"github.com/meshc-dev/meshc/pkg/fuzzy"
	"github.com/meshc-dev/meshc/pkg/plan"
	"github.com/meshc-dev/meshc/pkg/redact"
	"github.com/meshc-dev/meshc/pkg/state"
)

// Exit codes, the same for every command.
const (
	ExitOK      = 0 // success
	ExitInvalid = 1 // the mesh has errors; diagnostics were printed
	ExitChanges = 2 // success with changes or drift, with --detailed-exitcode
	ExitFailure = 3 // meshc could not do its job
)

// Version is meshc's version, set at build time with -ldflags; else it
// comes from the module's build information.
var Version = ""

// command is one subcommand.
type command struct {
	name    string
	args    string
	summary string
	run     func(ctx context.Context, e *Env, args []string) error
}

func commands() []command {
	return []command{
		{"validate", "[flags]", "load, evaluate and check the mesh", runValidate},
		{"plan", "[flags]", "validate, then diff the mesh against the live catalog", runPlan},
		{"apply", "[flags] [PLANFILE]", "apply a saved plan, or plan and apply", runApply},
		{"catalog", "show [flags]", "print the live catalog", runCatalog},
		{"history", "[flags]", "list the applied plans, newest first", runHistory},
		{"reconcile", "[flags]", "read every domain at its ref, find drift from the live catalog, and repair it with --apply", runReconcile},
		{"state", "SUBCOMMAND [flags]", "move, restore and repair the live catalog: pull, push FILE, migrate --to URL, unlock", runState},
		{"graph", "[flags]", "draw the mesh's lineage as Mermaid, DOT or JSON", runGraph},
		{"export", "[flags]", "write the mesh (or the live catalog) as ODPS, ODCS or Backstage entities, with a loss report", runExport},
		{"import", "odcs [flags] FILE...", "turn ODCS contracts into a domain directory of meshc CUE, with a loss report", runImport},
		{"site", "[flags] --out DIR", "write the catalog as a static web site: search, product pages, lineage", runSite},
		{"serve", "[flags]", "serve the catalog's web site, rebuilt when the mesh or the live catalog changes, and POST /api/v1/lineage", runServe},
		{"usage", "[flags] [PRODUCT]", "declared against observed consumers of each port; usage ingest [FILE|-] and usage serve count OpenLineage events", runUsage},
		{"score", "[flags] [PRODUCT]", "each product's scorecard from the platform's #Scorecard, with domain and team roll-ups", runScore},
		{"rules", "[flags] [ID]", "list every rule with its ID and purpose, or explain one", runRules},
		{"init", "[flags]", "scaffold a new domain repository (its CUE and workflows), or with --platform the platform repository", runInit},
		{"version", "", "print meshc's version", runVersion},
	}
}

// Env is what a command may touch: its streams and environment.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
	// Interactive is true when stdin is a terminal: apply may ask.
	Interactive bool
	// Color is true when stdout is a terminal and NO_COLOR is unset;
	// --no-color turns it off.
	Color bool
	// StderrTerminal is true when stderr is a terminal: slow git fetches
	// are announced there.
	StderrTerminal bool
	// Now is the clock; tests fix it.
	Now func() time.Time
	// UserCacheDir is where meshc keeps its cache without --cache-dir;
	// nil means no cache (tests).
	UserCacheDir func() (string, error)

	// jsonErrors is set by a command run with --format json: its error
	// is then printed as JSON too.
	jsonErrors bool
	// gh holds --github-timeout and --github-user.
	gh githubFlags
}

// Main runs meshc with the process's arguments and streams and returns its
// exit code.
func Main() int {
	ctx, stop := signalContext()
	defer stop()
	return Run(ctx, os.Args[1:], &Env{
		Stdin:          os.Stdin,
		Stdout:         os.Stdout,
		Stderr:         os.Stderr,
		Getenv:         os.Getenv,
		Interactive:    isTerminal(os.Stdin),
		Color:          isTerminal(os.Stdout) && os.Getenv("NO_COLOR") == "",
		StderrTerminal: isTerminal(os.Stderr),
		Now:            time.Now,
		UserCacheDir:   os.UserCacheDir,
	})
}

func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }

// Run runs meshc with args in e and returns the exit code. Tests call it
// in-process.
func Run(ctx context.Context, args []string, e *Env) int {
	// Nothing meshc prints holds a secret: not its own words, nor the
	// errors of net/http and go-git that quote a URL with its token.
	redacted := *e
	e = &redacted
	e.Stdout, e.Stderr = redact.Writer(e.Stdout), redact.Writer(e.Stderr)
	if e.Getenv == nil {
		e.Getenv = func(string) string { return "" }
	}
	if e.Now == nil {
		e.Now = time.Now
	}
	if len(args) == 0 {
		usage(e.Stderr)
		return ExitFailure
	}
	name := args[0]
	switch name {
	case "-h", "-help", "--help":
		usage(e.Stdout)
		return ExitOK
	case "help":
		if len(args) == 1 {
			usage(e.Stdout)
			return ExitOK
		}
		// "meshc help plan" is "meshc plan --help"; "help catalog" shows
		// catalog show's.
		name, args = args[1], []string{args[1], "--help"}
		if name == "catalog" {
			args = []string{"catalog", "show", "--help"}
		}
	case "-v", "-version", "--version":
		name = "version"
	}
	c, ok := find(name)
	if !ok {
		return e.exit(unknownCommand(name))
	}
	return e.exit(c.run(ctx, e, args[1:]))
}

func find(name string) (command, bool) {
	for _, c := range commands() {
		if c.name == name {
			return c, true
		}
	}
	return command{}, false
}

func unknownCommand(name string) error {
	var names []string
	for _, c := range commands() {
		names = append(names, c.name)
	}
	if s := fuzzy.Closest(name, names, 3); s != "" {
		return usageError(fmt.Sprintf("unknown command %q: did you mean %s? (run 'meshc --help' for the list)", name, s))
	}
	return usageError(fmt.Sprintf("unknown command %q; run 'meshc --help' for the list", name))
}

func usage(w io.Writer) {
	var b strings.Builder
	b.WriteString(`meshc compiles a data mesh's product catalog: it loads every domain's CUE,
unifies it with the platform schema, checks the whole mesh and diffs it
against the live catalog; apply makes the plan the new live catalog.

Usage:
  meshc <command> [flags]

Commands:
`)
	for _, c := range commands() {
		name := c.name
		if sub, _, ok := strings.Cut(c.args, " "); ok && sub == strings.ToLower(sub) && !strings.HasPrefix(sub, "[") {
			name += " " + sub // "catalog show"
		}
		fmt.Fprintf(&b, "  %-13s %s\n", name, c.summary)
	}
	b.WriteString(`
Exit codes: 0 success; 1 the mesh has errors; 2 changes present (with
--detailed-exitcode); 3 meshc could not do its job.

Colour: on a terminal only; NO_COLOR=1 or --no-color turns it off.

Run 'meshc help <command>' or 'meshc <command> --help' for a command's flags.
`)
	io.WriteString(w, b.String())
}

// exitStatus is a command's outcome that is not a failure of meshc: the
// mesh has errors (1) or changes (2), and the command printed why.
type exitStatus int

func (s exitStatus) Error() string { return fmt.Sprintf("exit status %d", int(s)) }

// errHelp is returned after a command's help was printed: exit 0.
var errHelp = errors.New("help shown")

// usageError is a bad command line: exit 3, one line.
type usageError string

func (u usageError) Error() string { return string(u) }

// exit maps what a command returned to its exit code, printing the error
// once: as one line ("meshc: ..."), or as JSON on stderr for --format json.
func (e *Env) exit(err error) int {
	var status exitStatus
	switch {
	case err == nil, errors.Is(err, errHelp):
		return ExitOK
	case errors.As(err, &status):
		return int(status)
	}
	code, kind := classify(err)
	if e.jsonErrors {
		b, _ := json.Marshal(map[string]any{"error": map[string]any{"message": err.Error(), "kind": kind, "exit_code": code}})
		fmt.Fprintf(e.Stderr, "%s\n", b)
		return code
	}
	fmt.Fprintf(e.Stderr, "meshc: %v\n", err)
	return code
}

// classify maps an error to its exit code and a stable kind for JSON.
func classify(err error) (int, string) {
	var (
		usage   usageError
		stale   *plan.StaleError
		lost    *state.StaleError
		locked  *state.LockedError
		corrupt *state.CorruptError
		notPlan *plan.NotAPlanError
	)
	switch {
	case errors.As(err, &stale), errors.As(err, &lost):
		return ExitInvalid, "stale-plan"
	case errors.Is(err, engine.ErrHasErrors):
		return ExitInvalid, "plan-has-errors"
	case errors.As(err, &usage):
		return ExitFailure, "usage"
	case errors.As(err, &locked):
		return ExitFailure, "locked"
	case errors.As(err, &corrupt):
		return ExitFailure, "corrupt-catalog"
	case errors.As(err, &notPlan):
		return ExitFailure, "not-a-plan"
	case errors.Is(err, context.Canceled):
		return ExitFailure, "cancelled"
	case errors.Is(err, context.DeadlineExceeded):
		return ExitFailure, "timeout"
	}
	return ExitFailure, "failure"
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func runVersion(_ context.Context, e *Env, args []string) error {
	fs := e.flags("version")
	if err := fs.parseNone(args); err != nil {
		return err
	}
	fmt.Fprintf(e.Stdout, "meshc %s\n", version())
	return nil
}

// version is -ldflags' Version, else the module version and VCS commit
// that the Go toolchain recorded in the binary.
func version() string {
	if Version != "" {
		return Version
	}
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "dev"
	}
	v := info.Main.Version
	if !released(v) {
		v = "dev"
	}
	var rev, at string
	modified := false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if rev == "" {
		return v
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if modified {
		rev += "-dirty"
	}
	if at != "" {
		return fmt.Sprintf("%s (commit %s, %s)", v, rev, at)
	}
	return fmt.Sprintf("%s (commit %s)", v, rev)
}
