package scaffold

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/meshc-dev/meshc/internal/fixture"

	"cuelang.org/go/cue/format"

	"github.com/meshc-dev/meshc/pkg/config"
	"github.com/meshc-dev/meshc/pkg/mesh"
)

// example are the values of the example workflows in actions/workflows.
var example = Options{
	Domain:       "orders",
	Team:         "Orders team",
	GitHub:       "@acme/orders",
	Email:        "orders@acme.example",
	PlatformRepo: "acme/data-platform",
	MeshcVersion: "v0.4.0",
}

var platformExample = PlatformOptions{Name: "acme", Repo: "acme/data-platform", MeshcVersion: "v0.4.0"}

func TestDomainFiles(t *testing.T) {
	files, err := Domain(example)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{".github/workflows/meshc-merge.yml", ".github/workflows/meshc-pr.yml", "README.md", "mesh/domain.cue", "mesh/products.cue"}
	if got := slices.Sorted(maps.Keys(files)); !slices.Equal(got, want) {
		t.Fatalf("files %v, want %v", got, want)
	}
	domain := string(files[DomainFile])
	for _, want := range []string{"package orders\n", `title:       "Orders"`, `github: "@acme/orders"`, `email:  "orders@acme.example"`} {
		if !strings.Contains(domain, want) {
			t.Errorf("domain.cue lacks %q:\n%s", want, domain)
		}
	}
	for path, b := range files {
		if strings.Contains(string(b), "[[") || strings.Contains(string(b), "<no value>") {
			t.Errorf("%s holds template text:\n%s", path, b)
		}
		if strings.HasSuffix(path, ".cue") {
			formatted, err := format.Source(b)
			if err != nil || string(formatted) != string(b) {
				t.Errorf("%s is not as cue fmt writes it (%v):\n%s", path, err, formatted)
			}
		}
	}
}

func TestDomainOptions(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*Options)
		want string // in the error; empty for none
	}{
		{"valid", func(*Options) {}, ""},
		{"no e-mail", func(o *Options) { o.Email = "" }, ""},
		{"one letter", func(o *Options) { o.Domain = "x" }, ""},
		{"upper case domain", func(o *Options) { o.Domain = "Orders" }, `domain "Orders" must be a lower-case name`},
		{"dash in domain", func(o *Options) { o.Domain = "order-events" }, `domain "order-events"`},
		{"long domain", func(o *Options) { o.Domain = strings.Repeat("a", 64) }, "must be a lower-case name"},
		{"keyword", func(o *Options) { o.Domain = "if" }, "not a CUE keyword"},
		{"handle without @", func(o *Options) { o.GitHub = "acme/orders" }, `GitHub handle "acme/orders"`},
		{"short team", func(o *Options) { o.Team = "A" }, `team "A"`},
		{"team on two lines", func(o *Options) { o.Team = "A\nB" }, "on one line"},
		{"e-mail", func(o *Options) { o.Email = "orders" }, `e-mail "orders"`},
		{"platform repo", func(o *Options) { o.PlatformRepo = "data-platform" }, `platform repository "data-platform"`},
		{"version with a space", func(o *Options) { o.MeshcVersion = "v1 && rm" }, `meshc version "v1 && rm"`},
		{"version like a flag", func(o *Options) { o.MeshcVersion = "-v1" }, `meshc version "-v1"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := example
			tc.edit(&o)
			_, err := Domain(o)
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("error: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
	o := example
	o.MeshcVersion = ""
	files, err := Domain(o)
	if err != nil || !strings.Contains(string(files[PRWorkflow]), "meshc-dev/meshc/actions/meshc@"+DefaultMeshcVersion) {
		t.Errorf("an empty version does not pin %s: %v", DefaultMeshcVersion, err)
	}
	for _, f := range files {
		if strings.Contains(string(f), "@main") {
			t.Errorf("a scaffolded file uses an unpinned @main:\n%s", f)
		}
	}
}

// TestScaffoldValidates loads the scaffolded domain into a mesh with meshc
// itself: with the built-in schema only, and with the example platform's
// policies, and with a team name that needs quoting.
func TestScaffoldValidates(t *testing.T) {
	quoted := example
	quoted.Domain, quoted.Team, quoted.Email = "x", `The "\(q)" team`, ""
	for _, tc := range []struct {
		name     string
		o        Options
		policies bool
	}{
		{"schema", example, false},
		{"acme policies", example, true},
		{"quoting", quoted, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			files, err := Domain(tc.o)
			if err != nil {
				t.Fatal(err)
			}
			for path, b := range files {
				write(t, filepath.Join(dir, "domain", path), string(b))
			}
			cfg := "platform: {name: \"acme\"}\n"
			if tc.policies {
				cfg = "platform: {name: \"acme\", policies: \"./policies\"}\n"
				b, err := os.ReadFile("../../catalog-example/policies/acme.cue")
				if err != nil {
					t.Fatal(err)
				}
				write(t, filepath.Join(dir, "policies", "acme.cue"), string(b))
			}
			cfg += "domains: " + tc.o.Domain + ": {path: \"./domain/mesh\"}\n"
			write(t, filepath.Join(dir, "mesh.cue"), cfg)

			c, err := config.Load(filepath.Join(dir, "mesh.cue"))
			if err != nil {
				t.Fatal(err)
			}
			res, err := mesh.Load(context.Background(), c, mesh.Options{})
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range res.Diagnostics {
				t.Errorf("%s:%d: %s: %s", d.File, d.Line, d.Code, d.Message)
			}
			id := tc.o.Domain + ".example_events"
			p := res.Mesh.Products[id]
			if p == nil {
				t.Fatalf("no product %s in %v", id, res.Mesh.ProductIDs())
			}
			if p.Status != "draft" {
				t.Errorf("%s is %s, want draft", id, p.Status)
			}
			if d := res.Mesh.Domains[tc.o.Domain]; d == nil || d.Team.Name != tc.o.Team {
				t.Errorf("domain %+v, want team %q", d, tc.o.Team)
			}
		})
	}
}

// TestExampleWorkflows keeps actions/workflows/domain-*.yml equal to the
// templates rendered with the example values; UPDATE_GOLDEN=1 (make
// golden) writes them.
func TestExampleWorkflows(t *testing.T) {
	files, err := Domain(example)
	if err != nil {
		t.Fatal(err)
	}
	platform, err := Platform(platformExample)
	if err != nil {
		t.Fatal(err)
	}
	for example, want := range map[string][]byte{
		"../../actions/workflows/domain-pr.yml":          files[PRWorkflow],
		"../../actions/workflows/domain-merge.yml":       files[MergeWorkflow],
		"../../actions/workflows/platform-apply.yml":     platform[ApplyWorkflow],
		"../../actions/workflows/platform-reconcile.yml": platform[ReconcileWorkflow],
	} {
		if os.Getenv("UPDATE_GOLDEN") != "" {
			if err := os.WriteFile(example, want, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		got, err := os.ReadFile(example)
		if err != nil {
			t.Fatalf("%v: run make golden", err)
		}
		if string(got) != string(want) {
			t.Errorf("%s differs from the template rendered with the example values: edit the template, then run make golden", example)
		}
	}
}

// TestPlatformValidates checks that a scaffolded platform repository
// loads: its mesh.cue (the git backend) and its policy, with a domain
// scaffolded for it.
func TestPlatformValidates(t *testing.T) {
	dir := t.TempDir()
	files, err := Platform(platformExample)
	if err != nil {
		t.Fatal(err)
	}
	for path, b := range files {
		write(t, filepath.Join(dir, path), string(b))
	}
	domain, err := Domain(example)
	if err != nil {
		t.Fatal(err)
	}
	for path, b := range domain {
		write(t, filepath.Join(dir, "orders", path), string(b))
	}
	cfg := strings.Replace(string(files[MeshFile]), "domains: {}", `domains: orders: {path: "./orders/mesh"}`, 1)
	write(t, filepath.Join(dir, MeshFile), cfg)
	c, err := config.Load(filepath.Join(dir, MeshFile))
	if err != nil {
		t.Fatal(err)
	}
	if c.State.Backend != "git" || c.State.Repo != "https://github.com/acme/data-platform.git" || c.State.Branch != "meshc-catalog" {
		t.Errorf("state = %+v", c.State)
	}
	res, err := mesh.Load(context.Background(), c, mesh.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Diagnostics.HasErrors() {
		t.Fatalf("the scaffolded platform and domain do not validate: %v", res.Diagnostics)
	}
	// The policy bites: a team outside the organisation is refused.
	bad := strings.Replace(string(domain[DomainFile]), "@acme/orders", "@other/orders", 1)
	write(t, filepath.Join(dir, "orders", DomainFile), bad)
	if res, err = mesh.Load(context.Background(), c, mesh.Options{}); err != nil || !res.Diagnostics.HasErrors() {
		t.Errorf("a team outside acme validates: %v %v", err, res.Diagnostics)
	}
	if _, err := Platform(PlatformOptions{Name: "Acme!", Repo: "nope"}); err == nil || !strings.Contains(err.Error(), "mesh name") || !strings.Contains(err.Error(), "owner/name") {
		t.Errorf("bad platform options: %v", err)
	}
}

func write(t *testing.T, path, s string) {
	t.Helper()
	fixture.Write(t, "", path, []byte(s))
}
