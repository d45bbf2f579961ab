//go:build unix

package mesh_test

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/meshc-dev/meshc/internal/fixture"
)

// secret is planted outside the domain: no read of a domain may reach it.
const secret = "GITHUB_TOKEN=ghs_planted_secret_0123456789"

// hostile lays the base mesh and a secret file beside it, and returns the
// orders domain's directory, the mesh.cue and the secret's path.
func hostile(t *testing.T) (orders, cfg, secretPath string) {
	t.Helper()
	dir := fixture.Copy(t, "testdata/base")
	secretPath = filepath.Join(t.TempDir(), "environ")
	if err := os.WriteFile(secretPath, []byte(secret), 0o600); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, "domains", "orders"), filepath.Join(dir, "mesh.cue"), secretPath
}

// diagnoseWithin diagnoses the mesh, failing the test if it takes a
// minute (a read that blocks for ever).
func diagnoseWithin(t *testing.T, cfg string) string {
	t.Helper()
	done := make(chan string, 1)
	go func() { done <- diagnose(t, cfg) }()
	select {
	case got := <-done:
		return got
	case <-time.After(time.Minute):
		t.Fatal("loading the mesh hangs")
		return ""
	}
}

// TestSealedSymlinkEmbed: an @embed of a link to a file outside the
// domain (meshc's environment, /etc/passwd) reads nothing: it is an error
// naming the file, and the secret appears in no diagnostic.
func TestSealedSymlinkEmbed(t *testing.T) {
	orders, cfg, secretPath := hostile(t)
	if err := os.Symlink(secretPath, filepath.Join(orders, "leak.txt")); err != nil {
		t.Fatal(err)
	}
	fixture.Write(t, orders, "cue.mod/module.cue", []byte("module: \"acme.example/orders\"\nlanguage: version: \"v0.12.0\"\n"))
	fixture.Write(t, orders, "leak.cue", []byte("@extern(embed)\n\npackage orders\n\nproducts: order_events: description: _ @embed(file=\"leak.txt\", type=text)\n"))
	got := diagnoseWithin(t, cfg)
	if strings.Contains(got, "ghs_planted") {
		t.Fatalf("the secret outside the domain reached a diagnostic:\n%s", got)
	}
	if !strings.Contains(got, "leak.txt") {
		t.Errorf("no diagnostic names the link:\n%s", got)
	}
}

// TestSealedSymlinkCUE: a .cue file that is a link out of the domain is
// not read.
func TestSealedSymlinkCUE(t *testing.T) {
	orders, cfg, secretPath := hostile(t)
	if err := os.WriteFile(secretPath, []byte("package orders\n\nproducts: order_events: title: \""+secret+"\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(secretPath, filepath.Join(orders, "outside.cue")); err != nil {
		t.Fatal(err)
	}
	got := diagnoseWithin(t, cfg)
	if strings.Contains(got, "ghs_planted") || !strings.Contains(got, "outside.cue") {
		t.Fatalf("diagnostics do not refuse the link out of the domain:\n%s", got)
	}
}

// TestSealedFIFO: a FIFO named x.cue is an error naming it, not a hang.
func TestSealedFIFO(t *testing.T) {
	orders, cfg, _ := hostile(t)
	if err := syscall.Mkfifo(filepath.Join(orders, "x.cue"), 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	got := diagnoseWithin(t, cfg)
	if !strings.Contains(got, "x.cue") || !strings.Contains(got, "named pipe") {
		t.Fatalf("diagnostics do not name the FIFO:\n%s", got)
	}
}

// TestNoModuleRegistry: a cue.mod dependency is an error of the domain,
// and no registry is contacted (CUE_REGISTRY points at a closed port: a
// contact would fail differently, or hang).
func TestNoModuleRegistry(t *testing.T) {
	t.Setenv("CUE_REGISTRY", "127.0.0.1:1")
	orders, cfg, _ := hostile(t)
	fixture.Write(t, orders, "cue.mod/module.cue", []byte("module: \"acme.example/orders\"\nlanguage: version: \"v0.12.0\"\ndeps: \"evil.example/pkg@v0\": v: \"v0.1.0\"\n"))
	fixture.Write(t, orders, "dep.cue", []byte("package orders\n\nimport \"evil.example/pkg\"\n\nproducts: order_events: title: pkg.title\n"))
	got := diagnoseWithin(t, cfg)
	if !strings.Contains(got, "error domains/orders/cue.mod/module.cue:1:1: source: domain orders: cue.mod/module.cue declares CUE module dependencies (evil.example/pkg@v0, ...): meshc fetches no CUE module dependencies") {
		t.Fatalf("diagnostics:\n%s", got)
	}
}
