package cli

import (
	"cmp"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/meshc-dev/meshc/pkg/config"
	"github.com/meshc-dev/meshc/pkg/engine"
	"github.com/meshc-dev/meshc/pkg/fuzzy"
	"github.com/meshc-dev/meshc/pkg/render"
	"github.com/meshc-dev/meshc/pkg/source"
)

// flagSet is one command's flags: only those it uses, so that any other
// is refused.
type flagSet struct {
	*flag.FlagSet
	e   *Env
	cmd command
	// refused explains, for a flag some commands take but not this one,
	// why it does not apply here.
	refused map[string]string
	// checks run after parsing, in order.
	checks []func() error
}

// flags returns the flag set of command name ("catalog show" is the
// catalog command's show).
func (e *Env) flags(name string) *flagSet {
	c := lookup(name)
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard) // errors are ours to print, once
	return &flagSet{FlagSet: fs, e: e, cmd: c, refused: map[string]string{}}
}

// lookup returns the command named name, or its first word's, with its
// argument line narrowed to the subcommand.
func lookup(name string) command {
	first, sub, _ := strings.Cut(name, " ")
	c, ok := find(first)
	if !ok {
		panic("cli: no command " + name) // a bug: every caller names a command of the table
	}
	if sub != "" {
		c.name = name
		c.args = strings.TrimPrefix(c.args, sub+" ")
	}
	return c
}

// parse parses args, flags anywhere among them as users of git and
// terraform expect ("apply plan.json --format json"; "--" ends the flags),
// runs the flags' checks and returns the other arguments. --help prints
// the command's help to stdout and returns errHelp.
func (fs *flagSet) parse(args []string) ([]string, error) {
	if fs.Lookup("format") != nil && wantsJSON(args) {
		fs.e.jsonErrors = true // even when the flags fail to parse
	}
	rest, err := parseInterspersed(fs.FlagSet, args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fs.help(fs.e.Stdout)
		return nil, errHelp
	case err != nil:
		return nil, fs.explain(err)
	}
	for _, check := range fs.checks {
		if err := check(); err != nil {
			return nil, err
		}
	}
	return rest, nil
}

// parseNone parses args for a command that takes no arguments.
func (fs *flagSet) parseNone(args []string) error {
	rest, err := fs.parse(args)
	if err == nil && len(rest) > 0 {
		err = fs.usageErr("unexpected argument %q", rest[0])
	}
	return err
}

// wantsJSON reports whether args ask for --format json.
func wantsJSON(args []string) bool {
	for i, a := range args {
		switch {
		case a == "--":
			return false
		case a == "--format=json" || a == "-format=json":
			return true
		case (a == "--format" || a == "-format") && i+1 < len(args) && args[i+1] == "json":
			return true
		}
	}
	return false
}

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

// usageErr is a bad command line, said as "meshc CMD: ...".
func (fs *flagSet) usageErr(format string, args ...any) error {
	return usageError(fmt.Sprintf("%s: %s", fs.Name(), fmt.Sprintf(format, args...)))
}

// explain turns the flag package's parse error into one line in the
// README's spelling, with the nearest flag for an unknown one.
func (fs *flagSet) explain(err error) error {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: "); ok {
		name = strings.TrimLeft(name, "-")
		if why, ok := fs.refused[name]; ok {
			return usageError(why)
		}
		var names []string
		fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
		hint := ""
		if s := fuzzy.Closest(name, names, 3); s != "" {
			hint = fmt.Sprintf("; did you mean --%s?", s)
		}
		return fs.usageErr("unknown flag --%s%s ('meshc %s --help' lists the flags)", name, hint, fs.Name())
	}
	if name, ok := strings.CutPrefix(msg, "flag needs an argument: "); ok {
		return fs.usageErr("flag --%s needs a value", strings.TrimLeft(name, "-"))
	}
	// invalid value "x" for flag -interval: parse error
	msg = strings.Replace(msg, " for flag -", " for --", 1)
	return fs.usageErr("%s", msg)
}

// help prints the command's usage, summary and flags, spelled --flag.
func (fs *flagSet) help(w io.Writer) {
	var b strings.Builder
	fmt.Fprintf(&b, "Usage: meshc %s %s\n\n%s.\n", fs.cmd.name, fs.cmd.args, upperFirst(fs.cmd.summary))
	type row struct{ left, usage string }
	var rows []row
	width := 0
	fs.VisitAll(func(f *flag.Flag) {
		arg, usage := flag.UnquoteUsage(f)
		left := "--" + f.Name
		if arg != "" {
			left += " " + strings.ToUpper(arg)
		}
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" && f.DefValue != "[]" {
			usage += fmt.Sprintf(" (default %q)", f.DefValue)
		}
		width = max(width, len(left))
		rows = append(rows, row{left, usage})
	})
	if len(rows) > 0 {
		b.WriteString("\nFlags:\n")
		for _, r := range rows {
			fmt.Fprintf(&b, "  %-*s  %s\n", width, r.left, r.usage)
		}
	}
	io.WriteString(w, b.String())
}

// isSet reports whether the command line set the flag.
func (fs *flagSet) isSet(name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// requires refuses flag unless the flag it goes with is set too.
func (fs *flagSet) requires(flag, with string) {
	fs.checks = append(fs.checks, func() error {
		if fs.isSet(flag) && !fs.isSet(with) {
			return fs.usageErr("--%s goes with --%s", flag, with)
		}
		return nil
	})
}

// output is a command's --format: the formats that render its kind of
// result, from pkg/render's registry.
type output struct {
	kind   render.Kind
	name   string
	format render.Format
	color  bool
}

// format adds --format for kind, def first, and --no-color when color is
// true (the command's text output may be coloured).
func (fs *flagSet) format(kind render.Kind, def string, color bool) *output {
	o := &output{kind: kind}
	names := render.Names(kind, def)
	fs.StringVar(&o.name, "format", def, "output `format`: "+strings.Join(names, "|"))
	noColor := false
	if color {
		fs.BoolVar(&noColor, "no-color", false, "never colour the output (NO_COLOR=1 does the same)")
	}
	fs.checks = append(fs.checks, func() error {
		fs.e.jsonErrors = o.name == "json"
		f, err := render.Lookup(kind, o.name)
		if err != nil {
			return usageError(err.Error())
		}
		o.format, o.color = f, color && fs.e.Color && !noColor
		return nil
	})
	return o
}

func (o *output) opts(title string) render.Options {
	return render.Options{Color: o.color, Title: title}
}

// meshFlags locate the mesh and its live catalog.
type meshFlags struct {
	config string
	state  string
}

func (fs *flagSet) mesh() *meshFlags {
	m := &meshFlags{}
	fs.StringVar(&m.config, "config", config.DefaultFile, "the platform's mesh `file`")
	fs.StringVar(&m.state, "state", "", "the live catalog: a `path` or backend URL (default: MESHC_STATE_URL, else state in mesh.cue)")
	return m
}

// loadFlags say where the domains come from.
type loadFlags struct {
	cacheDir   string
	gitTimeout time.Duration
	domains    domainFlag
	others     string
	// wholeLive reads the whole live catalog in a pull-request check,
	// for a plan that is saved (plan -out).
	wholeLive bool
	// log, when set (reconcile --watch), takes the git fetches' notices
	// as records instead of stderr lines.
	log *slog.Logger
}

// load adds --cache-dir, --git-timeout and, when local is true, --domain
// and --others.
func (fs *flagSet) load(local bool) *loadFlags {
	l := &loadFlags{others: string(engine.OthersLive)}
	fs.StringVar(&l.cacheDir, "cache-dir", "", "meshc's cache `DIR`: git clones and compiled domains (default: meshc in the user cache directory)")
	fs.DurationVar(&l.gitTimeout, "git-timeout", source.DefaultTimeout, "give up on a git remote that has not answered within `duration` (each listing of refs, clone or fetch)")
	fs.checks = append(fs.checks, func() error {
		if l.gitTimeout <= 0 {
			return fs.usageErr("--git-timeout must be positive, got %s", l.gitTimeout)
		}
		return nil
	})
	if !local {
		return l
	}
	fs.Var(&l.domains, "domain", "take domain `NAME=DIR` from a local checkout (a pull request's), or NAME alone from its source, the others from the live catalog; repeatable")
	fs.StringVar(&l.others, "others", l.others, "with --domain, `WHERE` the other domains come from: live (the live catalog, no fetch) or source")
	fs.requires("others", "domain")
	fs.checks = append(fs.checks, func() error {
		if l.others != string(engine.OthersLive) && l.others != string(engine.OthersSource) {
			return fs.usageErr("unknown --others %q: use live or source", l.others)
		}
		return nil
	})
	return l
}

// github adds --github, for the commands that report to pull requests.
func (fs *flagSet) github() *bool {
	fs.githubOptions()
	return fs.Bool("github", false, "in GitHub Actions, report to the pull request: comment, check run with annotations, job summary, outputs")
}

// lockTimeout adds --lock-timeout, for the commands that write the live
// catalog.
func (fs *flagSet) lockTimeout() *time.Duration {
	return fs.Duration("lock-timeout", engine.DefaultLockTimeout, "how long to wait for another apply to release the live catalog's lock (0: fail at once)")
}

// open opens the engine on the mesh the flags name; l may be nil for
// commands that load no domains, lockTimeout is for those that write.
func (e *Env) open(m *meshFlags, l *loadFlags, lockTimeout ...time.Duration) (*engine.Engine, error) {
	o := engine.Options{
		Config: m.config,
		State:  cmp.Or(m.state, e.Getenv("MESHC_STATE_URL")),
		Getenv: e.Getenv,
		Now:    e.Now,
		Notice: func(s string) { fmt.Fprintf(e.Stderr, "meshc: %s\n", s) },
	}
	if len(lockTimeout) > 0 {
		o.LockTimeout = lockTimeout[0]
	}
	// Every command gets the cache root: the git live catalog keeps its
	// clone there, also for commands that load no domains.
	o.CacheDir = e.cacheRoot("")
	if l != nil {
		o.CacheDir = e.cacheRoot(l.cacheDir)
		o.GitTimeout = l.gitTimeout
		o.Notify = e.gitNotify(l.log)
		o.Local = l.domains.m
		o.Others = engine.Others(l.others)
		o.WholeLive = l.wholeLive
	}
	return engine.Open(o)
}

// cacheRoot is --cache-dir, else meshc's directory in the user cache
// directory, else "" (no cache: git sources then say so).
func (e *Env) cacheRoot(flagValue string) string {
	if flagValue != "" {
		return flagValue
	}
	if e.UserCacheDir == nil {
		return ""
	}
	dir, err := e.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "meshc")
}

// domainFlag collects --domain NAME=DIR.
type domainFlag struct{ m map[string]string }

func (d *domainFlag) String() string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(d.m)) {
		parts = append(parts, k+"="+d.m[k])
	}
	return strings.Join(parts, ",")
}

func (d *domainFlag) Set(v string) error {
	name, dir, hasDir := strings.Cut(v, "=")
	if name == "" || (hasDir && dir == "") {
		return fmt.Errorf("want NAME=DIR (from a checkout) or NAME (from its source), e.g. --domain orders=. (got %q)", v)
	}
	if d.m == nil {
		d.m = map[string]string{}
	}
	if _, dup := d.m[name]; dup {
		return fmt.Errorf("domain %s given twice", name)
	}
	d.m[name] = dir
	return nil
}
