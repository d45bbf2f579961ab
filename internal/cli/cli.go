package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"golang.org/x/term"
)

// Exit codes, the same for every command.
const (
	ExitOK      = 0 // success
	ExitInvalid = 1 // the mesh has errors; diagnostics were printed
	ExitChanges = 2 // success with changes or drift, with --detailed-exitcode
	ExitFailure = 3 // meshc could not do its job
)

// Version is meshc's version, set at build time with -ldflags.
var Version = "dev"

// command is one subcommand.
type command struct {
	name    string
	args    string
	summary string
	run     func(ctx context.Context, e *Env, args []string) int
}

func commands() []command {
	return []command{
		{"validate", "[flags]", "load, evaluate and check the mesh", runValidate},
		{"plan", "[flags]", "validate, then diff the mesh against the live catalog", runPlan},
		{"apply", "[flags] [PLANFILE]", "apply a saved plan, or plan and apply", runApply},
		{"catalog", "show [flags]", "print the live catalog", runCatalog},
		{"history", "[flags]", "list the applied plans, newest first", runHistory},
		{"reconcile", "[flags]", "read every domain at its ref, find drift from the live catalog, and repair it with --apply", runReconcile},
		{"graph", "[flags]", "draw the mesh's lineage as Mermaid, DOT or JSON", runGraph},
		{"site", "[flags] --out DIR", "write the catalog as a static web site: search, product pages, lineage", runSite},
		{"serve", "[flags]", "serve the catalog's web site, rebuilt when the mesh or the live catalog changes", runServe},
		{"rules", "[flags]", "list every rule with its ID and purpose", runRules},
		{"init", "[flags]", "scaffold a new domain repository: its CUE and its GitHub workflows", runInit},
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
	// Color is true when stdout is a terminal (and NO_COLOR is unset).
	Color bool
	// Now is the clock; tests fix it.
	Now func() time.Time
	// UserCacheDir is where meshc keeps its cache without --cache-dir;
	// nil means no cache (tests).
	UserCacheDir func() (string, error)
}

// Main runs meshc with the process's arguments and streams and returns its
// exit code.
func Main() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return Run(ctx, os.Args[1:], &Env{
		Stdin:        os.Stdin,
		Stdout:       os.Stdout,
		Stderr:       os.Stderr,
		Getenv:       os.Getenv,
		Interactive:  isTerminal(os.Stdin),
		Color:        isTerminal(os.Stdout) && os.Getenv("NO_COLOR") == "",
		Now:          time.Now,
		UserCacheDir: os.UserCacheDir,
	})
}

func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }

// Run runs meshc with args in e and returns the exit code. Tests call it
// in-process.
func Run(ctx context.Context, args []string, e *Env) int {
	stdout, stderr := e.Stdout, e.Stderr
	if e.Getenv == nil {
		e.Getenv = func(string) string { return "" }
	}
	if e.Now == nil {
		e.Now = time.Now
	}
	if len(args) == 0 {
		usage(stderr)
		return ExitFailure
	}
	name := args[0]
	switch name {
	case "-h", "-help", "--help", "help":
		usage(stdout)
		return ExitOK
	case "-v", "-version", "--version":
		name = "version"
	}
	for _, c := range commands() {
		if c.name == name {
			return c.run(ctx, e, args[1:])
		}
	}
	fmt.Fprintf(stderr, "meshc: unknown command %q; run 'meshc --help' for the list\n", name)
	return ExitFailure
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
		if sub, _, ok := strings.Cut(c.args, " "); ok && !strings.HasPrefix(sub, "[") {
			name += " " + sub // "catalog show"
		}
		fmt.Fprintf(&b, "  %-13s %s\n", name, c.summary)
	}
	b.WriteString(`
Exit codes: 0 success; 1 the mesh has errors; 2 changes present (with
--detailed-exitcode); 3 meshc could not do its job.

Run 'meshc <command> --help' for a command's flags.
`)
	io.WriteString(w, b.String())
}

// flags returns the flag set of command name ("catalog show" is the
// catalog command's show), printing its usage from the command table.
func (e *Env) flags(name string) *flag.FlagSet {
	c := lookup(name)
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.Stderr, "Usage: meshc %s %s\n\n%s.\n\nFlags:\n", name, c.args, upperFirst(c.summary))
		fs.PrintDefaults()
	}
	return fs
}

// lookup returns the command named name, or its first word's.
func lookup(name string) command {
	first, _, _ := strings.Cut(name, " ")
	for _, c := range commands() {
		if c.name == first {
			if first != name {
				c.args = strings.TrimPrefix(c.args, strings.TrimPrefix(name, first+" ")+" ")
			}
			return c
		}
	}
	panic("cli: no command " + name) // a bug: every caller names a command of the table
}

// parseInterspersed parses flags wherever they stand among the
// arguments, as users of git and terraform expect ("apply plan.json
// --format json"); "--" ends the flags. It returns the other arguments.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return rest, nil
		}
		if args[0] == "--" {
			return append(rest, args[1:]...), nil
		}
		rest = append(rest, args[0])
		args = args[1:]
	}
}

// parse parses args; it returns false and the exit code when the command
// must not run (help was asked for, or the flags were wrong).
func (e *Env) parse(fs *flag.FlagSet, args []string) (int, bool) {
	rest, err := parseInterspersed(fs, args)
	if err == nil && len(rest) > 0 {
		fmt.Fprintf(e.Stderr, "meshc %s: unexpected argument %q\n", fs.Name(), rest[0])
		return ExitFailure, false
	}
	switch {
	case errors.Is(err, flag.ErrHelp):
		return ExitOK, false
	case err != nil:
		return ExitFailure, false
	}
	return 0, true
}

// parseCommon parses args into fs and checks the common flags' values.
func (e *Env) parseCommon(fs *flag.FlagSet, c *common, args []string) (int, bool) {
	if code, ok := e.parse(fs, args); !ok {
		return code, false
	}
	if err := c.check(); err != nil {
		return e.fail(err), false
	}
	return 0, true
}

// fail prints err as meshc's one line (or block) and returns ExitFailure.
func (e *Env) fail(err error) int {
	fmt.Fprintf(e.Stderr, "meshc: %v\n", err)
	return ExitFailure
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func runVersion(_ context.Context, e *Env, args []string) int {
	fs := e.flags("version")
	if code, ok := e.parse(fs, args); !ok {
		return code
	}
	fmt.Fprintf(e.Stdout, "meshc %s\n", Version)
	return ExitOK
}
