package meshgen_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/meshc-dev/meshc/internal/meshgen"
	"github.com/meshc-dev/meshc/internal/pgtest"
)

// mergeBackends are the live catalogs BenchmarkMergeApply applies to: a
// function gives the --state URL of a fresh, empty catalog.
var mergeBackends = []struct {
	name  string
	state func(b *testing.B) string
}{
	{"file", func(b *testing.B) string { return filepath.Join(b.TempDir(), "catalog.json") }},
	{"git", func(b *testing.B) string {
		repo := filepath.Join(b.TempDir(), "platform.git")
		if out, err := exec.Command("git", "init", "-q", "--bare", repo).CombinedOutput(); err != nil {
			b.Skipf("git init: %v\n%s", err, out)
		}
		return "git+file://" + repo + "#meshc-catalog:catalog.json"
	}},
	{"postgres", func(b *testing.B) string {
		pg := pgtest.Start(b)
		return pg.URL(pgtest.Superuser, pg.NewDatabase(b, "")) + "&catalog=bench"
	}},
}

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// BenchmarkMergeApply measures the merge job: one domain's change applied
// from its checkout (--domain NAME=DIR, the others from the live catalog)
// against a live catalog of 10,000 products (200 domains of 50), on each
// backend, as a cold process of the real binary. It reports the peak RSS.
// Setting it up applies the whole mesh once per backend, which takes
// tens of seconds: run it with -benchtime 1x (make bench-merge).
func BenchmarkMergeApply(b *testing.B) {
	if testing.Short() {
		b.Skip("skipped in -short mode: setting up a 10,000-product catalog takes tens of seconds")
	}
	meshc := buildMeshc(b)
	dir := b.TempDir()
	o := meshgen.Options{Domains: 200, ProductsPerDomain: 50, Seed: 1}
	if _, err := meshgen.Write(dir, o); err != nil {
		b.Fatal(err)
	}
	cache := b.TempDir()
	domains, err := os.ReadDir(filepath.Join(dir, "domains"))
	if err != nil || len(domains) == 0 {
		b.Fatalf("no domains: %v", err)
	}
	name := domains[0].Name()
	checkout := filepath.Join(b.TempDir(), name)
	if err := os.CopyFS(checkout, os.DirFS(filepath.Join(dir, "domains", name))); err != nil {
		b.Fatal(err)
	}
	for _, be := range mergeBackends {
		b.Run("backend="+be.name, func(b *testing.B) {
			state := be.state(b)
			run(b, meshc, "apply", "--auto-approve", "--config", filepath.Join(dir, "mesh.cue"), "--state", state, "--cache-dir", cache)
			var peakKB int64
			n := 0
			for b.Loop() {
				b.StopTimer()
				n++
				touch(b, checkout, n)
				b.StartTimer()
				peakKB = max(peakKB, run(b, meshc, "apply", "--auto-approve", "--config", filepath.Join(dir, "mesh.cue"),
					"--state", state, "--cache-dir", cache, "--domain", name+"="+checkout))
			}
			b.ReportMetric(float64(peakKB)/1024, "peak-RSS-MB")
			b.ReportMetric(float64(o.Domains*o.ProductsPerDomain), "products")
		})
	}
}

// touch changes one product description of the domain in dir, a change
// that breaks nobody.
func touch(b *testing.B, dir string, n int) {
	b.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.cue"))
	if err != nil {
		b.Fatal(err)
	}
	for _, f := range files {
		if filepath.Base(f) == "domain.cue" {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		s := string(src)
		i := strings.Index(s, `description: "`)
		if i < 0 {
			continue
		}
		i += len(`description: "`)
		s = s[:i] + fmt.Sprintf("Revision %d. ", n) + s[i:]
		if err := os.WriteFile(f, []byte(s), 0o644); err != nil {
			b.Fatal(err)
		}
		return
	}
	b.Fatalf("no product description to change in %s", dir)
}

// run runs meshc with args and returns its peak RSS in kilobytes.
func run(b *testing.B, meshc string, args ...string) int64 {
	b.Helper()
	var out bytes.Buffer
	cmd := exec.Command(meshc, args...)
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.Env = append(os.Environ(), "MESHC_USER=bench")
	if err := cmd.Run(); err != nil {
		b.Fatalf("meshc %s: %v\n%s", strings.Join(args, " "), err, out.Bytes())
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		return int64(ru.Maxrss)
	}
	return 0
}
