package cli

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/meshc-dev/meshc/pkg/config"
	"github.com/meshc-dev/meshc/pkg/engine"
	"github.com/meshc-dev/meshc/pkg/site"
	meshusage "github.com/meshc-dev/meshc/pkg/usage"
)

// siteFlags are the flags site and serve share.
type siteFlags struct {
	mesh *meshFlags
	load *loadFlags
	live *bool
}

func (e *Env) siteFlags(name string) (*flagSet, *siteFlags) {
	fs := e.flags(name)
	f := &siteFlags{mesh: fs.mesh(), load: fs.load(true)}
	f.live = fs.Bool("live", false, "show the live catalog instead of the mesh's sources")
	return fs, f
}

func runSite(ctx context.Context, e *Env, args []string) error {
	fs, f := e.siteFlags("site")
	out := fs.String("out", "", "the `directory` to write the site into (required)")
	if err := fs.parseNone(args); err != nil {
		return err
	}
	if *out == "" {
		return fs.usageErr("needs --out DIR, the directory to write the site into")
	}
	eng, err := e.open(f.mesh, f.load)
	if err != nil {
		return err
	}
	s, invalid, err := buildSite(ctx, e, eng, *f.live)
	if err != nil {
		return err
	}
	if err := s.WriteDir(*out); err != nil {
		return err
	}
	fmt.Fprintf(e.Stdout, "Wrote %d files (%s) to %s: open %s\n", len(s.Paths()), sizeOf(s.Size()), *out,
		filepath.Join(*out, "index.html"))
	if invalid {
		return exitStatus(ExitInvalid)
	}
	return nil
}

// buildSite loads the mesh (or the live catalog) and builds its site.
// invalid is true when the mesh had errors, or the scorecards or usage
// could not be made: they were printed, and the site shows its valid
// products, without what failed.
func buildSite(ctx context.Context, e *Env, eng *engine.Engine, live bool) (s *site.Site, invalid bool, err error) {
	o := site.Options{Title: siteTitle(eng.Config())}
	if o.Live, err = eng.Live(ctx); err != nil {
		return nil, false, err
	}
	m := o.Live.Mesh()
	if live {
		o.From = fmt.Sprintf("the live catalog at serial %d", o.Live.Serial)
	} else {
		if m, invalid, err = e.meshOf(ctx, eng, false, "the site shows its valid products only"); err != nil {
			return nil, false, err
		}
		o.From = fmt.Sprintf("the mesh's sources (live catalog at serial %d)", o.Live.Serial)
	}
	var rerr error
	if o.Scores, o.Usage, rerr = eng.SiteResults(ctx); rerr != nil {
		// As for a mesh with errors: said, and the site built without them.
		fmt.Fprintf(e.Stderr, "meshc: %v\nmeshc: the site is built without them\n", rerr)
		invalid = true
	}
	s, err = site.Build(m, o)
	return s, invalid, err
}

func siteTitle(cfg *config.Config) string {
	if cfg.Platform.Name == "" {
		return "Data products"
	}
	return cfg.Platform.Name + " data products"
}

func sizeOf(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f kB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

func runServe(ctx context.Context, e *Env, args []string) error {
	fs, f := e.siteFlags("serve")
	addr := fs.String("addr", "127.0.0.1:8080", "the `address` to listen on")
	interval := fs.Duration("interval", 2*time.Second, "how often to look for changes to the mesh's files or the live catalog")
	if err := fs.parseNone(args); err != nil {
		return err
	}
	if *interval <= 0 {
		return fs.usageErr("--interval must be positive, got %s", *interval)
	}
	eng, err := e.open(f.mesh, f.load)
	if err != nil {
		return err
	}
	h := &site.Handler{}
	lineage := newLineageEndpoint()
	last := ""
	// rebuild builds the site again when what it is built from changed, or
	// always after an ingest (usage is not in the fingerprint).
	rebuild := func(ingested bool) {
		fp := fingerprint(ctx, eng, f)
		if fp == last && !ingested {
			return
		}
		if fp != last {
			if err := lineage.set(ctx, eng); err != nil {
				fmt.Fprintf(e.Stderr, "meshc serve: %s answers 501: %v\n", meshusage.LineagePath, err)
			}
		}
		last = fp
		s, _, err := buildSite(ctx, e, eng, *f.live)
		if err != nil {
			fmt.Fprintf(e.Stderr, "meshc serve: %v (still serving the previous site)\n", err)
			return
		}
		h.Set(s)
		fmt.Fprintf(e.Stderr, "meshc serve: built %d pages (%s)\n", len(s.Paths()), sizeOf(s.Size()))
	}
	rebuild(false)
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	// A body is read whole within ReadTimeout: a slow client cannot hold an
	// ingest open.
	srv := &http.Server{Handler: serveMux(h, lineage), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 2 * time.Minute}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	fmt.Fprintf(e.Stderr, "meshc serve: serving the catalog on http://%s/ and POST http://%s%s until SIGTERM\n", ln.Addr(), ln.Addr(), meshusage.LineagePath)
	tick := time.NewTicker(*interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			srv.Shutdown(shut)
			fmt.Fprintln(e.Stderr, "meshc serve: stopped")
			return nil
		case err := <-done:
			return err
		case <-tick.C:
			rebuild(false)
		case <-lineage.ingested:
			rebuild(true)
		}
	}
}

// fingerprint identifies the state of what the site is built from: the
// names, sizes and modification times of the mesh's local files (mesh.cue's
// directory, the local domains) and the live catalog's lineage and serial,
// whatever its backend. A domain read from git changes only when the
// mesh's files or the catalog do.
func fingerprint(ctx context.Context, eng *engine.Engine, f *siteFlags) string {
	cfg := eng.Config()
	h := sha256.New()
	stat := func(p string) {
		if fi, err := os.Stat(p); err == nil {
			fmt.Fprintf(h, "%s %d %d\n", p, fi.Size(), fi.ModTime().UnixNano())
		} else {
			fmt.Fprintf(h, "%s missing\n", p)
		}
	}
	walk := func(root string) {
		filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil
			}
			if d.IsDir() && p != root && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			if !d.IsDir() {
				stat(p)
			}
			return nil
		})
	}
	if live, err := eng.Live(ctx); err == nil {
		fmt.Fprintf(h, "catalog %s %d\n", live.Lineage, live.Serial)
	} else {
		fmt.Fprintf(h, "catalog unreadable: %v\n", err)
	}
	if !*f.live {
		walk(cfg.Root)
		for _, name := range cfg.DomainNames() {
			if d := cfg.Domains[name]; d.Git == "" {
				walk(cfg.Abs(d.Path))
			}
		}
		for _, dir := range f.load.domains.m {
			if dir != "" {
				walk(dir)
			}
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}
