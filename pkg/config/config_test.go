package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshc-dev/meshc/pkg/config"
)

func write(t *testing.T, src string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "mesh.cue")
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadDefaults(t *testing.T) {
	p := write(t, `platform: name: "acme"
domains: orders: path: "./domains/orders"
`)
	c, err := config.Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if c.State.Backend != "file" || c.State.Path != config.DefaultStatePath {
		t.Errorf("state = %+v, want the file backend at %s", c.State, config.DefaultStatePath)
	}
	if c.Lifecycle.MinSunsetDays != config.DefaultMinSunsetDays {
		t.Errorf("minSunsetDays = %d, want %d", c.Lifecycle.MinSunsetDays, config.DefaultMinSunsetDays)
	}
	d := c.Domains["orders"]
	if d == nil || d.Name != "orders" || d.Path != "./domains/orders" {
		t.Fatalf("domain = %+v", d)
	}
	if got := d.Pos.String(); got != "mesh.cue:2:10" {
		t.Errorf("domain position = %s, want mesh.cue:2:10", got)
	}
	if got, want := c.Abs(d.Path), filepath.Join(filepath.Dir(p), "domains/orders"); got != want {
		t.Errorf("Abs = %s, want %s", got, want)
	}
}

func TestLoadExplicit(t *testing.T) {
	p := write(t, `platform: {name: "acme", policies: "./policies"}
domains: {
	orders: {path: "./o"}
	customers: {git: "https://example.invalid/customers", ref: "v1.2.0", path: "mesh"}
}
state: {backend: "file", path: "state/catalog.json"}
lifecycle: minSunsetDays: 0
`)
	c, err := config.Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if c.Platform.Policies != "./policies" || c.State.Path != "state/catalog.json" || c.Lifecycle.MinSunsetDays != 0 {
		t.Errorf("config = %+v", c)
	}
	if got := strings.Join(c.DomainNames(), ","); got != "customers,orders" {
		t.Errorf("DomainNames = %s", got)
	}
	if g := c.Domains["customers"]; g.Git == "" || g.Ref != "v1.2.0" || g.Path != "mesh" {
		t.Errorf("git domain = %+v", g)
	}
}

func TestLoadErrors(t *testing.T) {
	for _, tc := range []struct {
		name, src, want string
	}{
		{"unknown key", "platform: name: \"acme\"\ndomains: {}\nplatfrom: {}\n", "mesh.cue:3:1: platfrom: field not allowed; did you mean platform?"},
		{"missing path", "platform: name: \"acme\"\ndomains: orders: {}\n", "mesh.cue:2:10: domains.orders.path: field is required but not present"},
		{"bad domain name", "platform: name: \"acme\"\ndomains: \"Orders\": path: \"x\"\n", "mesh.cue:2:10: domains.Orders: field not allowed; a name in domains must be a lower-case name: a letter, then letters, digits or _ (at most 63)"},
		{"ref without git", "platform: name: \"acme\"\ndomains: o: {path: \"x\", ref: \"main\"}\n", "mesh.cue:2:10: domains.o.ref: a ref needs a git repository (git: URL)"},
		{"unknown backend", "platform: name: \"acme\"\ndomains: {}\nstate: backend: \"s3\"\n", "mesh.cue:3:17: state.backend: conflicting values \"s3\" and \"file\""},
		{"syntax", "platform: {name: \"acme\"\n", "mesh.cue:1:25: expected '}', found 'EOF'"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := config.Load(write(t, tc.src))
			if err == nil {
				t.Fatal("no error")
			}
			if err.Error() != tc.want {
				t.Errorf("error\n got: %s\nwant: %s", err, tc.want)
			}
		})
	}
}

func TestLoadMissingFile(t *testing.T) {
	_, err := config.Load(filepath.Join(t.TempDir(), "mesh.cue"))
	if err == nil || !strings.Contains(err.Error(), "no mesh config at") {
		t.Errorf("err = %v", err)
	}
}
