package config_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/meshc-dev/meshc/pkg/config"
)

// FuzzLoad feeds Load arbitrary mesh.cue files: it must not panic, and a
// config it takes names each domain and has a non-negative sunset.
func FuzzLoad(f *testing.F) {
	for _, seed := range []string{
		"", "null", "{}", "package mesh\n",
		"platform: name: \"acme\"\ndomains: orders: path: \"domains/orders\"\n",
		"platform: name: \"acme\"\ndomains: orders: null\n",
		"platform: name: \"acme\"\ndomains: orders: {git: \"https://example.com/o.git\", ref: \"main\"}\nstate: backend: \"git\"\n",
		"platform: name: \"acme\"\ndomains: {}\nlifecycle: minSunsetDays: 9223372036854775807\n",
		"platform: name: \"acme\"\ndomains: {}\nwaivers: [null]\n",
	} {
		f.Add([]byte(seed))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "mesh.cue")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		cfg, err := config.Load(path)
		if err != nil {
			return
		}
		for name, d := range cfg.Domains {
			if d == nil || d.Name != name {
				t.Fatalf("domain %q is %+v", name, d)
			}
		}
		if cfg.Lifecycle.MinSunsetDays < 0 {
			t.Fatalf("minSunsetDays %d", cfg.Lifecycle.MinSunsetDays)
		}
	})
}
