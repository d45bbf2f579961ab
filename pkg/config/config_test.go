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

func TestLoadState(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      config.State
	}{
		{"path only", `state: path: "s/c.json"`, config.State{Backend: "file", Path: "s/c.json"}},
		{"file", `state: {backend: "file"}`, config.State{Backend: "file", Path: config.DefaultStatePath}},
		{"git", `state: {backend: "git", repo: "https://github.com/acme/platform", branch: "meshc-catalog", path: "catalog.json"}`,
			config.State{Backend: "git", Repo: "https://github.com/acme/platform", Branch: "meshc-catalog", Path: "catalog.json"}},
		{"git defaults", `state: {backend: "git", repo: "../state.git"}`, config.State{Backend: "git", Repo: "../state.git"}},
		{"postgres", `state: {backend: "postgres", url: "postgres://db.acme/mesh"}`, config.State{Backend: "postgres", URL: "postgres://db.acme/mesh"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := config.Load(write(t, "platform: name: \"acme\"\ndomains: {}\n"+tc.src+"\n"))
			if err != nil {
				t.Fatal(err)
			}
			if c.State.Pos.Line != 0 && c.State.Pos.String() != "mesh.cue:3:9" && c.State.Pos.String() != "mesh.cue:3:17" {
				t.Errorf("state at %s; want its backend's position", c.State.Pos)
			}
			got := c.State
			got.Pos = tc.want.Pos
			if got != tc.want {
				t.Errorf("state = %+v; want %+v", got, tc.want)
			}
		})
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
		{"unknown backend", "platform: name: \"acme\"\ndomains: {}\nstate: backend: \"s3\"\n", "mesh.cue:3:17: state.backend: invalid value \"s3\": must be one of file, git, postgres"},
		{"postgres without url", "platform: name: \"acme\"\ndomains: {}\nstate: backend: \"postgres\"\n", "mesh.cue:3:1: state.url: field is required but not present"},
		{"postgres url of another scheme", "platform: name: \"acme\"\ndomains: {}\nstate: {backend: \"postgres\", url: \"mysql://h/db\"}\n", "mesh.cue:3:35: state.url: invalid value \"mysql://h/db\": must be a postgres://HOST/DB or postgresql://HOST/DB URL"},
		{"git without repo", "platform: name: \"acme\"\ndomains: {}\nstate: {backend: \"git\", path: \"c.json\"}\n", "mesh.cue:3:1: state.repo: field is required but not present"},
		{"file with a repo", "platform: name: \"acme\"\ndomains: {}\nstate: {backend: \"file\", repo: \"https://h/r\"}\n", "mesh.cue:3:26: state.repo: field not allowed: the file backend takes path"},
		{"postgres with a path", "platform: name: \"acme\"\ndomains: {}\nstate: {backend: \"postgres\", url: \"postgres://h/db\", pth: \"x\"}\n", "mesh.cue:3:54: state.pth: field not allowed: the postgres backend takes url"},
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

// TestLoadTenancy: a domain's assigned team and repository are read, and a
// github.com git URL names the repository when mesh.cue does not.
func TestLoadTenancy(t *testing.T) {
	cfg, err := config.Load(write(t, `platform: {name: "acme", budget: {time: "90s", memoryMiB: 512}}
domains: {
	orders: {path: "d/orders", team: "@acme/orders", repository: "acme/orders-data"}
	pay: {git: "https://x-access-token:t@github.com/acme/payments.git", ref: "main"}
	ssh: {git: "git@github.com:acme/ssh-data"}
	other: {git: "https://gitlab.example/acme/o.git"}
}
`))
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"orders": "acme/orders-data", "pay": "acme/payments", "ssh": "acme/ssh-data", "other": ""} {
		if got := cfg.Domains[name].Repository; got != want {
			t.Errorf("domains.%s repository = %q, want %q", name, got, want)
		}
	}
	if got := cfg.Domains["orders"].Team; got != "@acme/orders" {
		t.Errorf("team = %q", got)
	}
	if got, want := cfg.Platform.Budget.EvalTime().String(), "1m30s"; got != want {
		t.Errorf("budget time = %s, want %s", got, want)
	}
	if got, want := cfg.Platform.Budget.EvalMemory(), int64(512<<20); got != want {
		t.Errorf("budget memory = %d, want %d", got, want)
	}
	if _, err := config.Load(write(t, "platform: name: \"acme\"\ndomains: o: {path: \"o\", team: \"everyone\"}\n")); err == nil {
		t.Error("a team that is not a GitHub handle was accepted")
	}
}
