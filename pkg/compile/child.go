package compile

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"testing/fstest"
	"time"

	"github.com/meshc-dev/meshc/pkg/catalog"
	"github.com/meshc-dev/meshc/pkg/config"
	"github.com/meshc-dev/meshc/pkg/diag"
	"github.com/meshc-dev/meshc/pkg/source"
)

// CUE's evaluator cannot be interrupted: a domain whose CUE runs for
// minutes or fills the memory would hold meshc and every other domain.
// So with a Budget each domain is evaluated in a child process of this
// same binary, which the parent kills when the budget is spent or the run
// is cancelled. The child sees only the domain's files (sent to it, not
// read by it) and none of meshc's environment.

// childEnv marks a process started as an evaluation child.
const childEnv = "MESHC_INTERNAL_EVAL"

// Budget bounds one domain's evaluation; the zero Budget evaluates in
// this process, unbounded.
type Budget struct {
	Time   time.Duration // wall time
	Memory int64         // bytes of resident memory
}

// Set reports whether b bounds anything.
func (b Budget) Set() bool { return b.Time > 0 || b.Memory > 0 }

// childRequest is what the parent sends a child on its standard input.
type childRequest struct {
	Root   string            `json:"root"`   // the mesh root, naming policy files
	Schema map[string][]byte `json:"schema"` // the schema and policy files
	// Domains are mesh.cue's domains, for what a domain's evaluation says
	// about the others (one sharing its source).
	Domains map[string]*config.Domain `json:"domains"`
	Name    string                    `json:"name"`
	Dir     string                    `json:"dir"`
	Files   map[string]childFile      `json:"files"`
	Memory  int64                     `json:"memory,omitempty"`
	Cores   int                       `json:"cores,omitempty"` // how many cores the evaluation may use
}

// childFile is one file of the domain: its bytes, or why it cannot be
// read (the child's read of it fails the same way).
type childFile struct {
	Data []byte `json:"data,omitempty"`
	Err  string `json:"err,omitempty"`
}

func init() {
	if os.Getenv(childEnv) != "1" {
		return
	}
	if err := serveChild(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(0)
}

// serveChild evaluates the one domain of the request on in and writes its
// result, as a cache entry, to out.
func serveChild(in io.Reader, out io.Writer) error {
	var req childRequest
	if err := json.NewDecoder(bufio.NewReader(in)).Decode(&req); err != nil {
		return fmt.Errorf("evaluation child: reading the request: %w", err)
	}
	// A child lives for one domain: collect only when its heap nears the
	// budget (the parent kills it past the budget itself), not every time
	// the heap doubles.
	if req.Memory > 0 {
		debug.SetMemoryLimit(req.Memory / 4 * 3)
		debug.SetGCPercent(400)
	}
	s := &Schema{cfg: &config.Config{Root: req.Root, Domains: req.Domains}, src: req.Schema}
	// The comments above the schema's and policies' constraints explain
	// their errors, as in the parent.
	if err := s.indexConstraints(); err != nil {
		return fmt.Errorf("evaluation child: %w", err)
	}
	d := &source.Domain{Name: req.Name, Dir: req.Dir, FS: newChildFS(req.Files)}
	e := toEntry(evaluate(s, d, max(1, req.Cores)))
	return json.NewEncoder(out).Encode(e)
}

// childFS is the domain's files as the parent read them. It has only
// Open, so that every read, a Stat or a ReadFile too, meets a file's error.
type childFS struct {
	files fstest.MapFS
	errs  map[string]string
}

func newChildFS(files map[string]childFile) childFS {
	c := childFS{files: fstest.MapFS{}, errs: map[string]string{}}
	for name, f := range files {
		c.files[name] = &fstest.MapFile{Data: f.Data, Mode: 0o444}
		if f.Err != "" {
			c.errs[name] = f.Err
		}
	}
	return c
}

func (c childFS) Open(name string) (fs.File, error) {
	if msg, ok := c.errs[name]; ok {
		return nil, &fs.PathError{Op: "open", Path: name, Err: errors.New(msg)}
	}
	return c.files.Open(name)
}

// toEntry is r as a cache entry: without its source, which the caller
// knows, nor its locator, which is rebuilt over the caller's files.
func toEntry(r domainResult) cacheEntry {
	e := cacheEntry{Domain: r.domain, Products: r.products, Invalid: r.invalid, Failed: r.failed, Diags: r.diags}
	if e.Domain != nil {
		dom := *e.Domain
		dom.Source = catalog.Source{}
		e.Domain = &dom
		e.Products = make([]*catalog.Product, len(r.products))
		for i, p := range r.products {
			cp := *p
			cp.Source = nil
			e.Products[i] = &cp
		}
	}
	return e
}

// fromEntry is e made whole for domain d.
func fromEntry(e cacheEntry, d *source.Domain) domainResult {
	r := domainResult{domain: e.Domain, products: e.Products, invalid: e.Invalid, failed: e.Failed, diags: e.Diags}
	if r.domain != nil {
		r.domain.Source = d.Source
		r.domain.Locate = newLocator(d.FS, filePrefix(d)).locate
		r.provenance()
	}
	return r
}

// domainFiles reads every file of d, as the evaluation could: an
// unreadable one is kept with its error.
func domainFiles(d *source.Domain) (map[string]childFile, error) {
	files := map[string]childFile{}
	total := 0
	err := fs.WalkDir(d.FS, ".", func(name string, e fs.DirEntry, err error) error {
		if err != nil {
			if name == "." {
				return err
			}
			files[name] = childFile{Err: errText(err)}
			return nil
		}
		if e.IsDir() {
			return nil
		}
		b, err := fs.ReadFile(d.FS, name)
		if err != nil {
			files[name] = childFile{Err: errText(err)}
			return nil
		}
		total += len(b)
		if len(files) > maxKeyFiles || total > maxKeyBytes {
			return fmt.Errorf("more than %d files or %d MiB", maxKeyFiles, maxKeyBytes>>20)
		}
		files[name] = childFile{Data: b}
		return nil
	})
	return files, err
}

// errText is the reason of a failed read, without the path the child's
// own error names again.
func errText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// evaluateChild evaluates d in a child process within budget b. A domain
// over budget is one source error naming the domain and the budget.
func evaluateChild(ctx context.Context, s *Schema, d *source.Domain, b Budget, cores int) domainResult {
	files, err := domainFiles(d)
	if err != nil {
		return budgetError(d, fmt.Sprintf("domain %s: its files cannot be sent to the evaluation: %v", d.Name, err))
	}
	req, err := json.Marshal(childRequest{Root: s.cfg.Root, Schema: s.src, Domains: s.cfg.Domains, Name: d.Name, Dir: d.Dir, Files: files, Memory: b.Memory, Cores: cores})
	if err != nil {
		return budgetError(d, fmt.Sprintf("domain %s: %v", d.Name, err))
	}
	exe, err := os.Executable()
	if err != nil {
		return budgetError(d, fmt.Sprintf("domain %s: no executable to evaluate it in: %v", d.Name, err))
	}
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	if b.Time > 0 {
		runCtx, cancel = context.WithTimeout(runCtx, b.Time)
		defer cancel()
	}
	cmd := exec.CommandContext(runCtx, exe)
	cmd.Env = childEnviron()
	cmd.Stdin = bytes.NewReader(req)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &limited{w: &stderr, n: 4096}
	cmd.WaitDelay = time.Second
	if err := cmd.Start(); err != nil {
		return budgetError(d, fmt.Sprintf("domain %s: starting its evaluation: %v", d.Name, err))
	}
	var overMemory bool
	var watch sync.WaitGroup
	done := make(chan struct{})
	if b.Memory > 0 {
		watch.Go(func() { overMemory = watchMemory(cmd.Process, b.Memory, done) })
	}
	werr := cmd.Wait()
	close(done)
	watch.Wait()
	switch {
	case ctx.Err() != nil:
		return domainResult{failed: true}
	case errors.Is(runCtx.Err(), context.DeadlineExceeded):
		return budgetError(d, fmt.Sprintf("domain %s: its evaluation ran out of its time budget, %s (platform.budget.time in mesh.cue): it was stopped; simplify the domain's CUE (a large comprehension, a deep recursion) or raise the budget", d.Name, b.Time))
	}
	var e cacheEntry
	if werr == nil && json.Unmarshal(stdout.Bytes(), &e) == nil {
		return fromEntry(e, d)
	}
	if overMemory || strings.Contains(stderr.String(), "out of memory") {
		return budgetError(d, fmt.Sprintf("domain %s: its evaluation ran out of its memory budget, %d MiB (platform.budget.memoryMiB in mesh.cue): it was stopped; simplify the domain's CUE or raise the budget", d.Name, b.Memory>>20))
	}
	msg := strings.TrimSpace(stderr.String())
	if msg == "" && werr != nil {
		msg = werr.Error()
	}
	return budgetError(d, fmt.Sprintf("domain %s: its evaluation failed: %s", d.Name, msg))
}

// budgetError is a domain that could not be evaluated: one source error.
func budgetError(d *source.Domain, msg string) domainResult {
	dg := diag.Errorf("source", "%s", msg)
	dg.Domain = d.Name
	return domainResult{failed: true, diags: diag.Diagnostics{dg.At(diag.Pos{File: d.Dir})}}
}

// childEnviron is the child's environment: the marker and CUE's own
// settings, nothing else (no token, no credentials).
func childEnviron() []string {
	env := []string{childEnv + "=1"}
	for _, k := range []string{"CUE_EXPERIMENT", "CUE_DEBUG", "GOCOVERDIR", "TMPDIR"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	return env
}

// watchMemory kills p when its resident memory passes limit, checking
// every few milliseconds until done; it reports whether it killed p. Where
// /proc cannot tell (not Linux), the child's own memory limit is the only
// bound.
func watchMemory(p *os.Process, limit int64, done <-chan struct{}) bool {
	status := "/proc/" + strconv.Itoa(p.Pid) + "/status"
	t := time.NewTicker(5 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-done:
			return false
		case <-t.C:
		}
		b, err := os.ReadFile(status)
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && !procExists() {
				return false
			}
			continue
		}
		if rss(b) > limit {
			p.Kill()
			return true
		}
	}
}

func procExists() bool {
	_, err := os.Stat("/proc/self/status")
	return err == nil
}

// rss reads VmRSS, in bytes, from a /proc/PID/status file.
func rss(status []byte) int64 {
	for line := range strings.SplitSeq(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			f := strings.Fields(v)
			if len(f) >= 1 {
				n, _ := strconv.ParseInt(f[0], 10, 64)
				return n << 10 // kB
			}
		}
	}
	return 0
}

// limited keeps the first n bytes written to it.
type limited struct {
	w io.Writer
	n int
}

func (l *limited) Write(p []byte) (int, error) {
	if l.n > 0 {
		k := min(len(p), l.n)
		l.w.Write(p[:k])
		l.n -= k
	}
	return len(p), nil
}
