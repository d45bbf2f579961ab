package meshgen_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"syscall"
	"testing"

	"github.com/meshc-dev/meshc/internal/meshgen"
	"github.com/meshc-dev/meshc/pkg/config"
	"github.com/meshc-dev/meshc/pkg/mesh"
)

// BenchmarkValidate measures `meshc validate` as users run it: a cold
// process of the real binary over a mesh on disk, 50 products per domain
// (CUE-NOTES.md's mesh). Each iteration takes seconds; run it with
// -benchtime 1x (make bench).
func BenchmarkValidate(b *testing.B) {
	meshc := buildMeshc(b)
	for _, domains := range []int{20, 100} {
		o := meshgen.Options{Domains: domains, ProductsPerDomain: 50, Seed: 1}
		products := o.Domains * o.ProductsPerDomain
		b.Run(fmt.Sprintf("products=%d", products), func(b *testing.B) {
			if products > 1000 && testing.Short() {
				b.Skip("skipped in -short mode: a cold validate of 5,000 products takes tens of seconds")
			}
			dir := b.TempDir()
			if _, err := meshgen.Write(dir, o); err != nil {
				b.Fatal(err)
			}
			// cold: a fresh cache every time, so every domain is evaluated;
			// warm: the cache of an earlier run, as a reconcile job sees it.
			for _, warm := range []bool{false, true} {
				b.Run(map[bool]string{false: "cold", true: "warm"}[warm], func(b *testing.B) {
					cache := b.TempDir()
					if warm {
						validate(b, meshc, dir, cache)
					}
					var peakKB int64
					for b.Loop() {
						if !warm {
							cache = b.TempDir()
						}
						peakKB = max(peakKB, validate(b, meshc, dir, cache))
					}
					b.ReportMetric(float64(peakKB)/1024, "peak-RSS-MB")
					b.ReportMetric(float64(products), "products")
				})
			}
		})
	}
}

// validate runs meshc validate on the mesh in dir with a cache directory
// and returns its peak RSS in kilobytes.
func validate(b *testing.B, meshc, dir, cache string) int64 {
	b.Helper()
	var out bytes.Buffer
	cmd := exec.Command(meshc, "validate", "--config", filepath.Join(dir, "mesh.cue"), "--cache-dir", cache)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		b.Fatalf("meshc validate: %v\n%s", err, out.Bytes())
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		return int64(ru.Maxrss) // kilobytes on Linux
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
