package meshgen_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	schema "github.com/meshc-dev/meshc/cue"
	"github.com/meshc-dev/meshc/internal/meshgen"
	"github.com/meshc-dev/meshc/pkg/catalog"
	"github.com/meshc-dev/meshc/pkg/config"
	"github.com/meshc-dev/meshc/pkg/mesh"
	pkgstate "github.com/meshc-dev/meshc/pkg/state"
)

// A shape is how a mesh's products are spread over its domains.
type shape struct {
	name string
	// domains gives the domains and products per domain of a mesh of n
	// products.
	domains func(n int) (domains, perDomain int)
}

// The three shapes: CUE-NOTES.md's 50 products per domain, ten big
// domains, and many tiny ones.
var shapes = []shape{
	{"per-domain=50", func(n int) (int, int) { return n / 50, 50 }},
	{"domains=10", func(n int) (int, int) { return 10, n / 10 }},
	{"per-domain=5", func(n int) (int, int) { return n / 5, 5 }},
}

// benchSizes are the mesh sizes BenchmarkValidate runs: 1k, 5k and 10k
// products, or MESHC_BENCH_SIZES (comma-separated) for a larger table.
func benchSizes(b *testing.B) []int {
	env := os.Getenv("MESHC_BENCH_SIZES")
	if env == "" {
		return []int{1000, 5000, 10000}
	}
	var sizes []int
	for _, f := range strings.Split(env, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 10 {
			b.Fatalf("MESHC_BENCH_SIZES: %q is not a mesh size", f)
		}
		sizes = append(sizes, n)
	}
	return sizes
}

// BenchmarkValidate measures `meshc validate` as users run it: a cold
// process of the real binary over a mesh on disk, in the three shapes, at
// each size. Each iteration takes seconds; run it with -benchtime 1x (make
// bench). Besides time and peak RSS it reports x-json, the time over the
// JSON decode of the same data (the compiled products, as the compile
// cache holds them) measured in the same run: the lower bound.
//
// With MESHC_BENCH_CUE=1 and cue on PATH it also runs the peer: the
// official cue vet of each domain against meshc's schema, two domains at a
// time (cue-vet), and reports meshc's cold CPU time over its CPU time
// (x-cue-vet). Every figure is the median of the iterations (-benchtime).
func BenchmarkValidate(b *testing.B) {
	meshc := buildMeshc(b)
	var cue string
	if os.Getenv("MESHC_BENCH_CUE") != "" {
		var err error
		if cue, err = exec.LookPath("cue"); err != nil {
			b.Fatalf("MESHC_BENCH_CUE is set but there is no cue on PATH: go install cuelang.org/go/cmd/cue@<go.mod's version>")
		}
	}
	for _, sh := range shapes {
		for _, products := range benchSizes(b) {
			domains, per := sh.domains(products)
			o := meshgen.Options{Domains: domains, ProductsPerDomain: per, Seed: 1}
			b.Run(fmt.Sprintf("%s/products=%d", sh.name, products), func(b *testing.B) {
				if products > 1000 && testing.Short() {
					b.Skip("skipped in -short mode: a cold validate of 5,000 products takes tens of seconds")
				}
				dir := b.TempDir()
				if _, err := meshgen.Write(dir, o); err != nil {
					b.Fatal(err)
				}
				// The lower bound, from the cache a first run fills.
				filled := b.TempDir()
				validate(b, meshc, dir, filled)
				jsonSec := jsonDecode(b, filled)
				var coldCPU float64
				// cold: a fresh cache every time, so every domain is evaluated;
				// warm: the cache of an earlier run, as a reconcile job sees it.
				for _, warm := range []bool{false, true} {
					b.Run(map[bool]string{false: "cold", true: "warm"}[warm], func(b *testing.B) {
						var peakKB int64
						var sec, cpu []float64
						for b.Loop() {
							cache := filled
							if !warm {
								cache = b.TempDir()
							}
							t0 := time.Now()
							kb, c := validate(b, meshc, dir, cache)
							sec = append(sec, time.Since(t0).Seconds())
							peakKB, cpu = max(peakKB, kb), append(cpu, c)
						}
						med := median(sec)
						if !warm {
							coldCPU = median(cpu)
						}
						b.ReportMetric(median(cpu), "cpu-s")
						b.ReportMetric(float64(peakKB)/1024, "peak-RSS-MB")
						b.ReportMetric(med/jsonSec, "x-json")
						b.ReportMetric(jsonSec*1e3, "json-ms")
					})
				}
				b.Run("pr-check", func(b *testing.B) { prCheck(b, meshc, dir, filled) })
				if cue != "" {
					b.Run("cue-vet", func(b *testing.B) {
						var wall, cpu []float64
						for b.Loop() {
							w, c := cueVet(b, cue, dir, o)
							wall, cpu = append(wall, w), append(cpu, c)
						}
						b.ReportMetric(median(cpu), "cpu-s")
						b.ReportMetric(coldCPU/median(cpu), "x-cue-vet")
					})
				}
			})
		}
	}
}

// prCheck measures a pull request's check: meshc plan of one domain's
// checkout, changed every time (so that domain is evaluated again), the
// others from a live catalog (the file backend) holding the whole mesh.
// It reports the time over decoding that live catalog as JSON
// (x-live-decode), the cost a check that read all of it would have at
// least.
func prCheck(b *testing.B, meshc, dir, cache string) {
	state := filepath.Join(b.TempDir(), "catalog.json")
	run(b, meshc, "apply", "--auto-approve", "--config", filepath.Join(dir, "mesh.cue"), "--state", state, "--cache-dir", cache)
	doc, err := os.ReadFile(state)
	if err != nil {
		b.Fatal(err)
	}
	var decode []float64
	for range 3 {
		t0 := time.Now()
		if _, err := pkgstate.Decode(doc); err != nil {
			b.Fatal(err)
		}
		decode = append(decode, time.Since(t0).Seconds())
	}
	domains, err := os.ReadDir(filepath.Join(dir, "domains"))
	if err != nil || len(domains) == 0 {
		b.Fatalf("no domains: %v", err)
	}
	name := domains[len(domains)/2].Name()
	checkout := filepath.Join(b.TempDir(), name)
	if err := os.CopyFS(checkout, os.DirFS(filepath.Join(dir, "domains", name))); err != nil {
		b.Fatal(err)
	}
	var peakKB int64
	var sec, cpu []float64
	n := 0
	for b.Loop() {
		b.StopTimer()
		n++
		touch(b, checkout, n)
		b.StartTimer()
		t0 := time.Now()
		kb, c := measure(b, meshc, "plan", "--config", filepath.Join(dir, "mesh.cue"), "--state", state, "--cache-dir", cache, "--domain", name+"="+checkout)
		sec = append(sec, time.Since(t0).Seconds())
		peakKB, cpu = max(peakKB, kb), append(cpu, c)
	}
	b.ReportMetric(median(sec), "wall-s")
	b.ReportMetric(median(cpu), "cpu-s")
	b.ReportMetric(float64(peakKB)/1024, "peak-RSS-MB")
	b.ReportMetric(median(decode)*1e3, "live-decode-ms")
	b.ReportMetric(median(sec)/median(decode), "x-live-decode")
	b.ReportMetric(float64(len(doc))/(1<<20), "live-MB")
}

// jsonDecode returns the median seconds of decoding every entry of the
// compile cache in dir with encoding/json: the compiled mesh as JSON.
func jsonDecode(b *testing.B, dir string) float64 {
	b.Helper()
	var files [][]byte
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".json") {
			data, rerr := os.ReadFile(p)
			files = append(files, data)
			return rerr
		}
		return err
	})
	if err != nil || len(files) == 0 {
		b.Fatalf("reading the compile cache %s: %v (%d entries)", dir, err, len(files))
	}
	var sec []float64
	for range 5 {
		t0 := time.Now()
		for _, data := range files {
			var e struct {
				Domain   *catalog.Domain    `json:"domain"`
				Products []*catalog.Product `json:"products"`
			}
			// A cache file is a checksum line, then the entry's JSON.
			_, entry, _ := bytes.Cut(data, []byte("\n"))
			if err := json.Unmarshal(entry, &e); err != nil {
				b.Fatal(err)
			}
			if len(e.Products) == 0 {
				b.Fatalf("a compile cache entry with no products: the baseline would decode nothing")
			}
		}
		sec = append(sec, time.Since(t0).Seconds())
	}
	return median(sec)
}

// cueVet runs the official cue vet -c of every domain of the mesh in dir
// against meshc's schema, two at a time as meshc's workers, and returns
// the wall and CPU seconds. Each domain gets a directory with its files,
// the schema in the domain's package, and a file that unifies the package
// with #DomainFile and the domain's name, as meshc does.
func cueVet(b *testing.B, cue, dir string, o meshgen.Options) (wall, cpu float64) {
	b.Helper()
	entries, err := os.ReadDir(filepath.Join(dir, "domains"))
	if err != nil {
		b.Fatal(err)
	}
	schemaSrc, err := schema.FS.ReadFile("product.cue")
	if err != nil {
		b.Fatal(err)
	}
	work := b.TempDir()
	var dirs []string
	for _, e := range entries {
		src := filepath.Join(dir, "domains", e.Name())
		dst := filepath.Join(work, e.Name())
		if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
			b.Fatal(err)
		}
		pkg := "package " + e.Name()
		sch := strings.Replace(string(schemaSrc), "package mesh", pkg, 1)
		top := pkg + "\n\n#DomainFile & {#name: \"" + e.Name() + "\"}\n"
		if os.WriteFile(filepath.Join(dst, "zz_schema.cue"), []byte(sch), 0o644) != nil ||
			os.WriteFile(filepath.Join(dst, "zz_top.cue"), []byte(top), 0o644) != nil {
			b.Fatal("writing the cue vet directories")
		}
		dirs = append(dirs, dst)
	}
	jobs := make(chan string)
	var mu sync.Mutex
	var wg sync.WaitGroup
	t0 := time.Now()
	for range 2 {
		wg.Go(func() {
			for d := range jobs {
				cmd := exec.Command(cue, "vet", "-c", ".")
				cmd.Dir = d
				out, err := cmd.CombinedOutput()
				if err != nil {
					b.Errorf("cue vet %s: %v\n%s", d, err, out)
				}
				mu.Lock()
				cpu += (cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Seconds()
				mu.Unlock()
			}
		})
	}
	for _, d := range dirs {
		jobs <- d
	}
	close(jobs)
	wg.Wait()
	return time.Since(t0).Seconds(), cpu
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	return s[len(s)/2]
}

// validate runs meshc validate on the mesh in dir with a cache directory
// and returns its peak RSS in kilobytes and the CPU seconds it took.
//
// The peak is the child's VmHWM, read from /proc while it runs: the
// rusage of a child started from this (large) benchmark process counts
// this process's own peak too, since Linux carries the parent's high-water
// mark across vfork and exec.
func validate(b *testing.B, meshc, dir, cache string) (int64, float64) {
	b.Helper()
	return measure(b, meshc, "validate", "--config", filepath.Join(dir, "mesh.cue"), "--cache-dir", cache)
}

// measure runs meshc with args, which must succeed, and returns its peak
// RSS in kilobytes and the CPU seconds it took (see validate).
func measure(b *testing.B, meshc string, args ...string) (int64, float64) {
	b.Helper()
	var out bytes.Buffer
	cmd := exec.Command(meshc, args...)
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.Env = append(os.Environ(), "MESHC_USER=bench")
	if err := cmd.Start(); err != nil {
		b.Fatalf("meshc %s: %v", args[0], err)
	}
	done := make(chan struct{})
	peak := make(chan int64)
	go func() {
		status := fmt.Sprintf("/proc/%d/status", cmd.Process.Pid)
		var kb int64
		for {
			if v := vmHWM(status); v > kb {
				kb = v
			}
			select {
			case <-done:
				peak <- kb
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	err := cmd.Wait()
	close(done)
	kb := <-peak
	if err != nil {
		b.Fatalf("meshc %s: %v\n%s", strings.Join(args, " "), err, out.Bytes())
	}
	cpu := (cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Seconds()
	if kb == 0 { // no /proc: the rusage, an upper bound
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			kb = int64(ru.Maxrss) // kilobytes on Linux
		}
	}
	return kb, cpu
}

// vmHWM returns the VmHWM line of a /proc/PID/status file in kilobytes,
// or 0.
func vmHWM(status string) int64 {
	b, err := os.ReadFile(status)
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(b)) {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

// buildMeshc builds the meshc binary once for the benchmark, as a release
// would: the benchmark then measures the same process users start.
func buildMeshc(b *testing.B) string {
	b.Helper()
	gocmd, err := exec.LookPath("go")
	if err != nil {
		b.Skipf("no go command to build meshc with: %v", err)
	}
	bin := filepath.Join(b.TempDir(), "meshc")
	out, err := exec.Command(gocmd, "build", "-o", bin, "github.com/meshc-dev/meshc/cmd/meshc").CombinedOutput()
	if err != nil {
		b.Fatalf("go build meshc: %v\n%s", err, out)
	}
	return bin
}

// BenchmarkCompile measures loading, compiling and checking 1,000 products,
// each domain evaluated in a child process under its budget (as meshc
// does) and in this process, where a profile can see it (go test
// -cpuprofile): the difference is the cost of the budgets.
func BenchmarkCompile(b *testing.B) {
	for _, inProcess := range []bool{false, true} {
		b.Run(map[bool]string{false: "child", true: "in-process"}[inProcess], func(b *testing.B) {
			benchmarkCompile(b, inProcess)
		})
	}
}

func benchmarkCompile(b *testing.B, inProcess bool) {
	dir := b.TempDir()
	if _, err := meshgen.Write(dir, meshgen.Options{Domains: 20, ProductsPerDomain: 50, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	cfg, err := config.Load(filepath.Join(dir, "mesh.cue"))
	if err != nil {
		b.Fatal(err)
	}
	// The same collector setting as cmd/meshc, so that the profile shows
	// the GC cost users see.
	if os.Getenv("GOGC") == "" {
		defer debug.SetGCPercent(debug.SetGCPercent(400))
	}
	b.ReportAllocs()
	for b.Loop() {
		o := mesh.Options{}
		o.Compile.InProcess = inProcess
		res, err := mesh.Load(context.Background(), cfg, o)
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Diagnostics) > 0 {
			b.Fatalf("mesh.Load: %d diagnostics, first %s:%d: %s", len(res.Diagnostics),
				res.Diagnostics[0].File, res.Diagnostics[0].Line, res.Diagnostics[0].Message)
		}
		if len(res.Mesh.Products) != 1000 {
			b.Fatalf("mesh.Load: %d products; want 1000", len(res.Mesh.Products))
		}
	}
	b.ReportMetric(1000, "products")
}
