package cli

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/meshc-dev/meshc/pkg/catalog"
	"github.com/meshc-dev/meshc/pkg/config"
	"github.com/meshc-dev/meshc/pkg/render"
	"github.com/meshc-dev/meshc/pkg/site"
)

// siteFlags are the flags site and serve share.
type siteFlags struct {
	common
	live bool
}

func (f *siteFlags) register(e *Env, name string) *flag.FlagSet {
	fs := e.flags(name)
	f.common.register(fs, "text")
	fs.BoolVar(&f.live, "live", false, "show the live catalog instead of the mesh's sources")
	return fs
}

func runSite(ctx context.Context, e *Env, args []string) int {
	var f siteFlags
	fs := f.register(e, "site")
	out := fs.String("out", "", "the `directory` to write the site into (required)")
	if code, ok := e.parseCommon(fs, &f.common, args); !ok {
		return code
	}
	if *out == "" {
		return e.fail(errors.New("site needs --out DIR, the directory to write the site into"))
	}
	s, invalid, err := buildSite(ctx, e, &f)
	if err != nil {
		return e.fail(err)
	}
	if err := s.WriteDir(*out); err != nil {
		return e.fail(err)
	}
	fmt.Fprintf(e.Stdout, "Wrote %d files (%s) to %s: open %s\n", len(s.Paths()), sizeOf(s.Size()), *out,
		filepath.Join(*out, "index.html"))
	if invalid {
		return ExitInvalid
	}
	return ExitOK
}

// buildSite loads the mesh (or the live catalog) as the flags say and
// builds its site. invalid is true when the mesh had errors: they were
// printed, and the site shows its valid products.
func buildSite(ctx context.Context, e *Env, f *siteFlags) (s *site.Site, invalid bool, err error) {
	cfg, err := config.Load(f.config)
	if err != nil {
		return nil, false, err
	}
	o := site.Options{Title: siteTitle(cfg)}
	var m *catalog.Mesh
	if f.live {
		if o.Live, err = f.store(cfg).Read(ctx); err != nil {
			return nil, false, err
		}
		m = o.Live.Mesh()
		o.From = fmt.Sprintf("the live catalog at serial %d", o.Live.Serial)
	} else {
		l, err := f.load(ctx, e, true, false)
		if err != nil {
			return nil, false, err
		}
		if l.res.Diagnostics.HasErrors() {
			for _, d := range l.res.Diagnostics {
				fmt.Fprintln(e.Stderr, render.DiagnosticLine(d))
			}
			fmt.Fprintln(e.Stderr, "meshc: the mesh has errors; the site shows its valid products only")
			invalid = true
		}
		m, o.Live = l.res.Mesh, l.live
		o.From = fmt.Sprintf("the mesh's sources (live catalog at serial %d)", l.live.Serial)
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

func runServe(ctx context.Context, e *Env, args []string) int {
	var f siteFlags
	fs := f.register(e, "serve")
	addr := fs.String("addr", "127.0.0.1:8080", "the `address` to listen on")
	interval := fs.Duration("interval", 2*time.Second, "how often to look for changes to the mesh's files or the live catalog")
	if code, ok := e.parseCommon(fs, &f.common, args); !ok {
		return code
	}
	if *interval <= 0 {
		return e.fail(fmt.Errorf("--interval must be positive, got %s", *interval))
	}
	cfg, err := config.Load(f.config)
	if err != nil {
		return e.fail(err)
	}
	h := &site.Handler{}
	last := ""
	rebuild := func() {
		fp := fingerprint(cfg, &f)
		if fp == last {
			return
		}
		last = fp
		s, _, err := buildSite(ctx, e, &f)
		if err != nil {
			fmt.Fprintf(e.Stderr, "meshc serve: %v (still serving the previous site)\n", err)
			return
		}
		h.Set(s)
		fmt.Fprintf(e.Stderr, "meshc serve: built %d pages (%s)\n", len(s.Paths()), sizeOf(s.Size()))
	}
	rebuild()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return e.fail(err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	fmt.Fprintf(e.Stderr, "meshc serve: serving the catalog on http://%s/ until SIGTERM\n", ln.Addr())
	tick := time.NewTicker(*interval)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			srv.Shutdown(shut)
			fmt.Fprintln(e.Stderr, "meshc serve: stopped")
			return ExitOK
		case err := <-done:
			return e.fail(err)
		case <-tick.C:
			rebuild()
		}
	}
}

// fingerprint identifies the state of what the site is built from: the
// names, sizes and modification times of the mesh's local files (mesh.cue's
// directory, the local domains) and of the live catalog's file. A domain
// read from git changes only when the mesh's files or the catalog do.
func fingerprint(cfg *config.Config, f *siteFlags) string {
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
	statePath := cfg.Abs(cfg.State.Path)
	if f.state != "" {
		statePath = strings.TrimPrefix(f.state, "file://")
	}
	stat(statePath)
	if !f.live {
		walk(cfg.Root)
		for _, name := range cfg.DomainNames() {
			if d := cfg.Domains[name]; d.Git == "" {
				walk(cfg.Abs(d.Path))
			}
		}
		for _, dir := range f.domains.m {
			walk(dir)
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}
