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
	run     func(ctx context.Context, e *env, args []string) int
}

func commands() []command {
	return []command{
		{"validate", "[flags]", "load, evaluate and check the mesh", runValidate},
		{"rules", "[flags]", "list every rule with its ID and purpose", runRules},
		{"version", "", "print meshc's version", runVersion},
	}
}

// env is what a command may touch: its output streams and environment.
type env struct {
	stdout, stderr io.Writer
	getenv         func(string) string
}

// Main runs meshc with the process's arguments and streams and returns its
// exit code.
func Main() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return Run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv)
}

// Run runs meshc with args, writing to stdout and stderr, and returns the
// exit code. Tests call it in-process.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	e := &env{stdout: stdout, stderr: stderr, getenv: getenv}
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
unifies it with the platform schema and checks the whole mesh.

Usage:
  meshc <command> [flags]

Commands:
`)
	for _, c := range commands() {
		fmt.Fprintf(&b, "  %-10s %s\n", c.name, c.summary)
	}
	b.WriteString(`
Exit codes: 0 success; 1 the mesh has errors; 2 changes present (with
--detailed-exitcode); 3 meshc could not do its job.

Run 'meshc <command> --help' for a command's flags.
`)
	io.WriteString(w, b.String())
}

// flags returns a flag set for a command that prints its usage to stderr.
func (e *env) flags(name, args, summary string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "Usage: meshc %s %s\n\n%s.\n\nFlags:\n", name, args, upperFirst(summary))
		fs.PrintDefaults()
	}
	return fs
}

// parse parses args; it returns false and the exit code when the command
// must not run (help was asked for, or the flags were wrong).
func (e *env) parse(fs *flag.FlagSet, args []string) (int, bool) {
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return ExitOK, false
	case err != nil:
		return ExitFailure, false
	case fs.NArg() > 0:
		fmt.Fprintf(e.stderr, "meshc %s: unexpected argument %q\n", fs.Name(), fs.Arg(0))
		return ExitFailure, false
	}
	return 0, true
}

// fail prints err as meshc's one line (or block) and returns ExitFailure.
func (e *env) fail(err error) int {
	fmt.Fprintf(e.stderr, "meshc: %v\n", err)
	return ExitFailure
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func runVersion(_ context.Context, e *env, args []string) int {
	fs := e.flags("version", "", "print meshc's version")
	if code, ok := e.parse(fs, args); !ok {
		return code
	}
	fmt.Fprintf(e.stdout, "meshc %s\n", Version)
	return ExitOK
}
