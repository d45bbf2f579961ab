package cli

import (
	"context"
	"flag"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"github.com/meshc-dev/meshc/pkg/catalog"
	"github.com/meshc-dev/meshc/pkg/compile"
	"github.com/meshc-dev/meshc/pkg/config"
	"github.com/meshc-dev/meshc/pkg/mesh"
	"github.com/meshc-dev/meshc/pkg/source"
	"github.com/meshc-dev/meshc/pkg/state"
)

// common holds the flags every mesh-reading command shares.
type common struct {
	config   string
	format   string
	state    string
	cacheDir string
	others   string
	domains  domainFlag
	github   bool

	formats []string
}

// register adds the common flags; formats lists the --format values, the
// default first.
func (c *common) register(fs *flag.FlagSet, formats ...string) {
	fs.StringVar(&c.config, "config", config.DefaultFile, "the platform's mesh `file`")
	fs.StringVar(&c.format, "format", formats[0], "output `format`: "+strings.Join(formats, "|"))
	fs.StringVar(&c.state, "state", "", "the live catalog: a file `path` or a URL (default: state in mesh.cue)")
	fs.StringVar(&c.cacheDir, "cache-dir", "", "meshc's cache: git clones and compiled domains (default: meshc in the user cache directory)")
	fs.Var(&c.domains, "domain", "take domain `NAME=DIR` from a local checkout (a pull request's); repeatable")
	fs.StringVar(&c.others, "others", "live", "with --domain, where the other domains come from: `live` (the live catalog, no fetch) or source")
	c.formats = formats
}

// registerGitHub adds --github, for the commands that report to pull
// requests.
func (c *common) registerGitHub(fs *flag.FlagSet) {
	fs.BoolVar(&c.github, "github", false, "in GitHub Actions, report to the pull request: comment, check run with annotations, job summary, outputs")
}

// check validates the flags' values.
func (c *common) check() error {
	if !slices.Contains(c.formats, c.format) {
		return fmt.Errorf("unknown --format %q: use %s", c.format, strings.Join(c.formats, "|"))
	}
	if c.others != "live" && c.others != "source" {
		return fmt.Errorf("unknown --others %q: use live or source", c.others)
	}
	return nil
}

// store opens the live catalog named by --state or by mesh.cue.
func (c *common) store(cfg *config.Config) (state.Store, error) {
	return openStore(c.state, cfg)
}

// loaded is a mesh loaded as the flags say, with its live catalog.
type loaded struct {
	cfg   *config.Config
	res   *mesh.Result
	store state.Store
	live  *state.Catalog // nil unless read
}

// load reads mesh.cue and loads the mesh: with --domain, those domains come
// from their checkouts and, with --others live, every other domain from the
// live catalog. withLive reads the live catalog in any case.
func (c *common) load(ctx context.Context, e *Env, withLive bool, tolerant bool) (*loaded, error) {
	cfg, err := config.Load(c.config)
	if err != nil {
		return nil, err
	}
	l := &loaded{cfg: cfg}
	if l.store, err = c.store(cfg); err != nil {
		return nil, err
	}
	o := mesh.Options{Local: c.domains.m, Tolerant: tolerant}
	o.Source = source.Options{Getenv: e.Getenv}
	if root := c.cacheRoot(e); root != "" {
		o.Source.CacheDir = filepath.Join(root, "git")
		o.Compile.Cache = &compile.Cache{Dir: filepath.Join(root, "compile")}
	}
	pr := len(c.domains.m) > 0 && c.others == "live"
	if withLive || pr {
		if l.live, err = l.store.Read(ctx); err != nil {
			return nil, err
		}
	}
	if pr {
		o.Others = &catalog.Mesh{Domains: l.live.Domains, Products: l.live.Products}
	}
	if l.res, err = mesh.Load(ctx, cfg, o); err != nil {
		return nil, err
	}
	return l, nil
}

// cacheRoot is --cache-dir, else meshc's directory in the user cache
// directory, else "" (no cache: git sources then say so).
func (c *common) cacheRoot(e *Env) string {
	if c.cacheDir != "" {
		return c.cacheDir
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
	name, dir, ok := strings.Cut(v, "=")
	if !ok || name == "" || dir == "" {
		return fmt.Errorf("want NAME=DIR, e.g. --domain orders=. (got %q)", v)
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
