package cli

import (
	"context"
	"fmt"
	"os"

	"github.com/meshc-dev/meshc/pkg/engine"
	"github.com/meshc-dev/meshc/pkg/state"
)

// stateCommands are meshc state's subcommands: name, arguments, summary.
var stateCommands = []struct{ name, args, summary string }{
	{"pull", "[flags]", "print the live catalog document, as JSON"},
	{"push", "[flags] FILE", "make a document (a backup) the live catalog: refused if its lineage differs or its serial is not newer, unless --force"},
	{"migrate", "--to URL [flags]", "copy the live catalog, lineage, serial and history kept, to an empty catalog of another backend"},
	{"unlock", "[flags]", "break the lock a dead apply left, after showing its holder"},
}

func runState(ctx context.Context, e *Env, args []string) error {
	if len(args) == 0 || args[0] == "--help" || args[0] == "-h" || args[0] == "-help" {
		e.stateUsage()
		if len(args) == 0 {
			return usageError("state: want a subcommand: pull, push, migrate or unlock")
		}
		return errHelp
	}
	sub, rest := args[0], args[1:]
	fs := e.flags("state")
	found := false
	for _, c := range stateCommands {
		if c.name == sub {
			fs.cmd.name, fs.cmd.args, fs.cmd.summary = "state "+c.name, c.args, c.summary
			found = true
		}
	}
	if !found {
		return usageError(fmt.Sprintf("state: unknown subcommand %q: use pull, push, migrate or unlock", sub))
	}
	fs.Init("state "+sub, 0)
	m := fs.mesh()
	lockTimeout := fs.lockTimeout()
	switch sub {
	case "pull":
		if err := fs.parseNone(rest); err != nil {
			return err
		}
		eng, err := e.open(m, nil)
		if err != nil {
			return err
		}
		live, err := eng.Live(ctx)
		if err != nil {
			return err
		}
		b, err := state.Encode(live)
		if err != nil {
			return err
		}
		_, err = e.Stdout.Write(b)
		return err
	case "push":
		force := fs.Bool("force", false, "push a document of another lineage, or one not newer than the live catalog")
		files, err := fs.parse(rest)
		if err != nil {
			return err
		}
		if len(files) != 1 {
			return fs.usageErr("want one FILE, the document to push")
		}
		doc, err := os.ReadFile(files[0])
		if err != nil {
			return err
		}
		eng, err := e.open(m, nil, *lockTimeout)
		if err != nil {
			return err
		}
		serial, err := eng.Push(ctx, doc, engine.PushOptions{From: files[0], Force: *force})
		if err != nil {
			return err
		}
		fmt.Fprintf(e.Stdout, "Pushed %s: the live catalog %s is at serial %d.\n", files[0], eng.Store().Describe(), serial)
		return nil
	case "migrate":
		to := fs.String("to", "", "the empty live catalog to copy to: a `path` or backend URL (required)")
		if err := fs.parseNone(rest); err != nil {
			return err
		}
		if *to == "" {
			return fs.usageErr("needs --to URL: where to copy the live catalog")
		}
		eng, err := e.open(m, nil, *lockTimeout)
		if err != nil {
			return err
		}
		where, serial, err := eng.Migrate(ctx, *to)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.Stdout, "Copied the live catalog %s to %s (serial %d). Point mesh.cue's state (or MESHC_STATE_URL) at it; the old catalog is left as it was.\n",
			eng.Store().Describe(), where, serial)
		return nil
	}
	// unlock
	force := fs.Bool("force", false, "break the lock without asking")
	if err := fs.parseNone(rest); err != nil {
		return err
	}
	eng, err := e.open(m, nil)
	if err != nil {
		return err
	}
	held, err := eng.LockHolder(ctx)
	if err != nil {
		return err
	}
	if held == nil {
		fmt.Fprintf(e.Stdout, "The live catalog %s is not locked.\n", eng.Store().Describe())
		return nil
	}
	fmt.Fprintf(e.Stdout, "%s.\n", held.Error())
	if !*force {
		if !e.Interactive {
			return usageError("state unlock needs confirmation: run it on a terminal, or pass --force once you are sure no apply is running")
		}
		if !confirm(e, "Break this lock? Only 'yes' will be accepted: ") {
			fmt.Fprintln(e.Stdout, "Unlock cancelled: the lock is still held.")
			return nil
		}
	}
	if err := eng.BreakLock(ctx); err != nil {
		return err
	}
	fmt.Fprintln(e.Stdout, "Lock broken.")
	return nil
}

func (e *Env) stateUsage() {
	fmt.Fprintln(e.Stdout, "Usage: meshc state <subcommand> [flags]\n\nMove, restore and repair the live catalog:")
	for _, c := range stateCommands {
		fmt.Fprintf(e.Stdout, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(e.Stdout, "\nRun 'meshc state <subcommand> --help' for its flags.")
}
