package engine

import (
	"context"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"time"

	"github.com/meshc-dev/meshc/pkg/catalog"
	"github.com/meshc-dev/meshc/pkg/compile"
	"github.com/meshc-dev/meshc/pkg/config"
	"github.com/meshc-dev/meshc/pkg/diag"
	"github.com/meshc-dev/meshc/pkg/mesh"
	"github.com/meshc-dev/meshc/pkg/redact"
	"github.com/meshc-dev/meshc/pkg/rule"
	"github.com/meshc-dev/meshc/pkg/source"
	"github.com/meshc-dev/meshc/pkg/state"
	_ "github.com/meshc-dev/meshc/pkg/state/all" // every backend this meshc has
)

// Others says where the domains not taken from a local checkout come from.
type Others string

// Where the other domains come from in a pull-request check.
const (
	// OthersLive takes them from the live catalog: no fetch, no compile.
	OthersLive Others = "live"
	// OthersSource reads them from their sources in mesh.cue.
	OthersSource Others = "source"
)

// Options is what a run is given. Zero values are sensible defaults.
type Options struct {
	// Config is the path of mesh.cue.
	Config string
	// State overrides mesh.cue's state: a path or a backend URL.
	State string
	// CacheDir is meshc's cache root: git clones under git/, compiled
	// domains under compile/, the git live catalog's clone under state/.
	// Empty means no cache.
	CacheDir string
	// Local takes these domains (name -> directory) from local checkouts;
	// a domain with no directory ("") is read from its source in mesh.cue.
	Local map[string]string
	// Others is where the other domains come from when Local is set.
	Others Others
	// Getenv reads the environment (credentials, MESHC_USER); nil reads none.
	Getenv func(string) string
	// Now is the clock; nil is time.Now.
	Now func() time.Time
	// Actor names who applies, for the history and the lock; empty means
	// Actor(Getenv).
	Actor string
	// LockTimeout is how long an apply waits for the live catalog's lock;
	// 0 fails at once when another holds it.
	LockTimeout time.Duration
	// GitTimeout bounds each git network operation (a clone, a fetch, a
	// listing of refs); 0 means source.DefaultTimeout.
	GitTimeout time.Duration
	// Notify, when set, is told of git fetches that take long and of
	// cached clones cloned again (see source.Event); its calls take turns.
	Notify func(source.Event)
	// WholeLive makes a pull-request check read the whole live catalog,
	// not only the part its domains touch (see part.go): for a plan that
	// is saved, and to compare the two.
	WholeLive bool
	// Notice, when set, is told what taking the live catalog's lock did
	// besides (a dead holder's lock broken) and of compile-cache entries
	// discarded, a sentence each.
	Notice func(string)
}

// Engine runs meshc's commands on one mesh.
type Engine struct {
	o     Options
	cfg   *config.Config
	store state.Store
}

// Open reads mesh.cue and opens its live catalog's store (nothing is read
// from it yet).
func Open(o Options) (*Engine, error) {
	if o.Getenv == nil {
		o.Getenv = func(string) string { return "" }
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Others == "" {
		o.Others = OthersLive
	}
	if o.Actor == "" {
		o.Actor = Actor(o.Getenv)
	}
	cfg, err := config.Load(o.Config)
	if err != nil {
		return nil, err
	}
	if err := checkRepositories(cfg, o.Local, o.Getenv); err != nil {
		return nil, err
	}
	st, err := openStore(cfg, o.State, o.CacheDir)
	if err != nil {
		return nil, err
	}
	return &Engine{o: o, cfg: cfg, store: st}, nil
}

// Config is the mesh's mesh.cue.
func (e *Engine) Config() *config.Config { return e.cfg }

// Store is the live catalog's store.
func (e *Engine) Store() state.Store { return e.store }

// Live reads the live catalog.
func (e *Engine) Live(ctx context.Context) (*state.Catalog, error) { return e.store.Read(ctx) }

// History returns the applied plans, newest first.
func (e *Engine) History(ctx context.Context) ([]state.Entry, error) {
	live, err := e.store.Read(ctx)
	if err != nil {
		return nil, err
	}
	entries := make([]state.Entry, 0, len(live.History))
	for i := len(live.History) - 1; i >= 0; i-- {
		entries = append(entries, live.History[i])
	}
	return entries, nil
}

// prCheck reports whether this run takes the other domains from the live
// catalog (a pull-request check).
func (e *Engine) prCheck() bool { return len(e.o.Local) > 0 && e.o.Others == OthersLive }

// split returns the domains taken from checkouts (name -> directory) and
// those read from their sources, of Options.Local.
func (e *Engine) split() (dirs map[string]string, sources map[string]bool) {
	for name, dir := range e.o.Local {
		if dir == "" {
			if sources == nil {
				sources = map[string]bool{}
			}
			sources[name] = true
			continue
		}
		if dirs == nil {
			dirs = map[string]string{}
		}
		dirs[name] = dir
	}
	return dirs, sources
}

// loaded is the mesh as the options say, with the live catalog when read.
type loaded struct {
	res  *mesh.Result
	live *state.Catalog // nil unless read
	// usage is the observed usage a plan weighs (see observedUsage).
	usage []state.UsageAggregate
	// part, when live is part of the live catalog, says which part.
	part *partNeeds
}

// partCheck reports whether this run reads only part of the live catalog:
// a pull-request check, unless WholeLive.
func (e *Engine) partCheck() bool { return e.prCheck() && !e.o.WholeLive }

// load loads the mesh: with Local, those domains come from their
// checkouts and, with OthersLive, every other domain from the live
// catalog (the part of it they touch, see part.go). withLive reads the
// live catalog in any case; tolerant goes on past a domain whose source
// cannot be read; usage is the observed usage a plan weighs. Diagnostics
// are not waived.
func (e *Engine) load(ctx context.Context, withLive, tolerant bool, usage []state.UsageAggregate) (*loaded, error) {
	dirs, only := e.split()
	for name := range only {
		if _, ok := e.cfg.Domains[name]; !ok {
			return nil, fmt.Errorf("--domain %s: mesh.cue has no domain %s (it has %s)", name, name, strings.Join(e.cfg.DomainNames(), ", "))
		}
	}
	o := mesh.Options{Local: dirs, Only: only, Tolerant: tolerant}
	o.Source = source.Options{Getenv: e.o.Getenv, Timeout: e.o.GitTimeout, Notify: e.o.Notify}
	if root := e.o.CacheDir; root != "" {
		o.Source.CacheDir = filepath.Join(root, "git")
		o.Compile.Cache = &compile.Cache{Dir: filepath.Join(root, "compile"), Notify: e.o.Notice}
	}
	l := &loaded{usage: usage}
	if (withLive || e.prCheck()) && !e.partCheck() {
		var err error
		if l.live, err = e.store.Read(ctx); err != nil {
			return nil, err
		}
	}
	if l.live != nil {
		o.Live = l.live.Products
	}
	switch {
	case e.partCheck():
		// Put together and checked once the checked domains are compiled
		// and the part of the live catalog they need is read.
		o.Others, o.Unchecked = catalog.NewMesh(), true
	case e.prCheck():
		o.Others = l.live.Mesh()
	}
	res, err := mesh.Load(ctx, e.cfg, o)
	if err != nil {
		return nil, err
	}
	if e.partCheck() {
		inCfg := map[string]bool{}
		for name := range e.cfg.Domains {
			inCfg[name] = true
		}
		local := map[string]bool{}
		for name := range e.o.Local {
			local[name] = true
		}
		l.part = &partNeeds{cfg: inCfg, local: local, res: res, usage: usage}
		if l.live, err = l.part.read(ctx, e.store.ReadPart); err != nil {
			return nil, err
		}
		res = l.part.against(res, l.live)
	}
	l.res = res
	return l, nil
}

// waive applies mesh.cue's waivers to ds, the one place every command's
// diagnostics pass through, and adds an error for each waiver that names
// an unknown rule, domain or product.
func (e *Engine) waive(ctx context.Context, l *loaded, ds diag.Diagnostics) diag.Diagnostics {
	// No diagnostic carries a secret into a report, a plan file or a
	// catalog: a git error quotes the URL it was given.
	for i := range ds {
		ds[i].Message = redact.Text(ds[i].Message)
	}
	ds.Sort()
	ds = diag.Waive(ds.Compact(), e.cfg.Waivers, e.o.Now())
	if len(e.cfg.Waivers) > 0 {
		ds = append(ds, rule.CheckWaivers(e.cfg.Waivers, l.res.WaiverScope(e.liveProducts(ctx, l)))...)
	}
	ds.Sort()
	return ds.Compact()
}

// liveProducts returns the live catalog's products for the waiver check,
// reading the catalog when l has not. A command that does not need the
// live catalog otherwise (validate) does not fail when it cannot be read:
// it returns nil, and the waivers' products are then not judged (plan
// judges them).
func (e *Engine) liveProducts(ctx context.Context, l *loaded) map[string]*catalog.Product {
	if l.live != nil && l.live.Part() != nil {
		// Only the ids count: every product of the whole catalog.
		ids := make(map[string]*catalog.Product, len(l.live.Part().Products))
		for id := range l.live.Part().Products {
			ids[id] = l.live.Products[id]
		}
		return ids
	}
	if l.live != nil {
		return l.live.Products
	}
	live, err := e.store.Read(ctx)
	if err != nil {
		return nil
	}
	return live.Products
}

// Actor names who applies: MESHC_USER, the GitHub actor in Actions, or
// the local user at this host.
func Actor(getenv func(string) string) string {
	for _, k := range []string{"MESHC_USER", "GITHUB_ACTOR"} {
		if v := getenv(k); v != "" {
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

// openStore opens the live catalog that override (--state or
// MESHC_STATE_URL) names, else the one mesh.cue's state names. A location
// this meshc has no backend for is an error before anything is read or
// created. cacheDir is meshc's cache root, where a backend may keep its
// copy (the git backend's clone).
func openStore(cfg *config.Config, override, cacheDir string) (state.Store, error) {
	if override != "" {
		spec, err := state.ParseURL(override, "")
		if err != nil {
			return nil, fmt.Errorf("--state: %w", err)
		}
		spec.CacheDir = cacheDir
		s, err := state.Open(spec)
		if err != nil {
			return nil, fmt.Errorf("--state: %w", err)
		}
		return s, nil
	}
	s, err := state.Open(state.Spec{
		Backend:  cfg.State.Backend,
		Path:     cfg.State.Path,
		URL:      cfg.State.URL,
		Repo:     cfg.State.Repo,
		Branch:   cfg.State.Branch,
		BaseDir:  cfg.Root,
		CacheDir: cacheDir,
	})
	if err != nil {
		where := cfg.Rel(cfg.File)
		if cfg.State.Pos.IsValid() {
			where = cfg.State.Pos.String()
		}
		return nil, fmt.Errorf("%s: state: %w", where, err)
	}
	return s, nil
}
