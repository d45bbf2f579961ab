package compile_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshc-dev/meshc/pkg/compile"
)

// example copies catalog-example to a temporary directory.
func example(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS("../../catalog-example")); err != nil {
		t.Fatal(err)
	}
	os.RemoveAll(filepath.Join(dir, ".meshc"))
	return dir
}

// entryOf returns the path of the cache file holding domain's result.
func entryOf(t *testing.T, cacheDir, domain string) string {
	t.Helper()
	var found string
	filepath.WalkDir(cacheDir, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		b, _ := os.ReadFile(p)
		if strings.Contains(string(b), `\"name\":\"`+domain+`\",\"title\"`) || strings.Contains(string(b), `"name":"`+domain+`","title"`) {
			found = p
		}
		return nil
	})
	if found == "" {
		t.Fatalf("no cache entry of %s", domain)
	}
	return found
}

// TestCachePlantedEntryRefused: an entry rewritten to publish another
// domain's product (with a checksum that matches) is refused on load,
// removed, and said once; the domain is evaluated again.
func TestCachePlantedEntryRefused(t *testing.T) {
	dir, cacheDir := example(t), t.TempDir()
	compileDir(t, dir, &compile.Cache{Dir: cacheDir})
	path := entryOf(t, cacheDir, "finance")
	b, err := os.ReadFile(path)
	if err != nil || len(b) < 65 || b[64] != '\n' {
		t.Fatalf("reading %s: %v, not a checksum line and an entry", path, err)
	}
	var e map[string]any
	if err := json.Unmarshal(b[65:], &e); err != nil {
		t.Fatal(err)
	}
	evil := map[string]any{"id": "customers.evil", "name": "evil", "domain": "customers", "title": "Evil", "outputPorts": map[string]any{}}
	e["products"] = append(e["products"].([]any), evil)
	entry, _ := json.Marshal(e)
	sum := sha256.Sum256(entry)
	b = append([]byte(hex.EncodeToString(sum[:])+"\n"), entry...)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}

	var notes []string
	c := &compile.Cache{Dir: cacheDir, Notify: func(s string) { notes = append(notes, s) }}
	r := compileDir(t, dir, c)
	if _, ok := r.Mesh.Products["customers.evil"]; ok {
		t.Fatal("the planted product was published")
	}
	if got := stats(c); got != [2]int64{4, 1} {
		t.Errorf("hits, misses = %v, want 4, 1", got)
	}
	if len(notes) != 1 || !strings.Contains(notes[0], "another domain") {
		t.Errorf("notices %q; want one naming the refusal", notes)
	}
}

// TestCacheDamagedEntryRebuilt: a truncated or tampered entry is a miss,
// said once, never a diagnostic.
func TestCacheDamagedEntryRebuilt(t *testing.T) {
	dir, cacheDir := example(t), t.TempDir()
	compileDir(t, dir, &compile.Cache{Dir: cacheDir})
	for _, domain := range []string{"orders", "payments"} {
		path := entryOf(t, cacheDir, domain)
		b, _ := os.ReadFile(path)
		if domain == "orders" {
			b = b[:len(b)/2] // truncated
		} else {
			b = []byte(strings.Replace(string(b), `"title":"`, `"title":"X`, 1)) // tampered
		}
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var notes []string
	c := &compile.Cache{Dir: cacheDir, Notify: func(s string) { notes = append(notes, s) }}
	r := compileDir(t, dir, c)
	if len(r.Diagnostics) != 0 || len(r.Mesh.Products) != 12 {
		t.Fatalf("diagnostics %v, %d products", r.Diagnostics, len(r.Mesh.Products))
	}
	if got := stats(c); got != [2]int64{3, 2} {
		t.Errorf("hits, misses = %v, want 3, 2", got)
	}
	if len(notes) != 1 {
		t.Errorf("notices %q; want one", notes)
	}
	// Rebuilt: the next run hits every domain.
	c2 := &compile.Cache{Dir: cacheDir}
	compileDir(t, dir, c2)
	if got := stats(c2); got != [2]int64{5, 0} {
		t.Errorf("after the rebuild: hits, misses = %v, want 5, 0", got)
	}
}

// TestCacheKeyCoversEveryFile: a change to a file the evaluation can read
// other than the root .cue files (a subpackage, cue.mod, an embedded file)
// is a miss for its domain.
func TestCacheKeyCoversEveryFile(t *testing.T) {
	dir, cacheDir := example(t), t.TempDir()
	for _, f := range []string{"sub/sub.cue", "cue.mod/module.cue", "data/embedded.json"} {
		p := filepath.Join(dir, "domains/orders", f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("// one\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	compileDir(t, dir, &compile.Cache{Dir: cacheDir})
	for _, f := range []string{"sub/sub.cue", "cue.mod/module.cue", "data/embedded.json"} {
		if err := os.WriteFile(filepath.Join(dir, "domains/orders", f), []byte("// two "+f+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		c := &compile.Cache{Dir: cacheDir}
		compileDir(t, dir, c)
		if got := stats(c); got != [2]int64{4, 1} {
			t.Errorf("after a change to %s: hits, misses = %v, want 4, 1", f, got)
		}
	}
}
