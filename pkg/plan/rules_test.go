package plan_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/meshc-dev/meshc/internal/fixture"
	"github.com/meshc-dev/meshc/pkg/catalog"
	"github.com/meshc-dev/meshc/pkg/config"
	"github.com/meshc-dev/meshc/pkg/diag"
	"github.com/meshc-dev/meshc/pkg/mesh"
	"github.com/meshc-dev/meshc/pkg/plan"
	"github.com/meshc-dev/meshc/pkg/state"
)

// today is the fixed date the fixtures are planned on.
var today = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

// TestRules runs each fixture of testdata/rules: the files under previous/
// and current/ are laid over testdata/base to make two meshes; previous is
// applied to an empty live catalog, then current is planned against it.
// The "want" file holds the exact plan and diagnostics. UPDATE_GOLDEN=1
// rewrites it.
func TestRules(t *testing.T) {
	fixture.Run(t, "testdata/rules/*.txtar", func(t *testing.T, files []txtar.File) string {
		prev, cur := fixture.Copy(t, "testdata/base"), fixture.Copy(t, "testdata/base")
		var usage []state.UsageAggregate
		for _, f := range files {
			if f.Name == "usage.json" {
				// Observed usage (daily aggregates) the plan weighs.
				if err := json.Unmarshal(f.Data, &usage); err != nil {
					t.Fatalf("usage.json: %v", err)
				}
			} else if name, ok := strings.CutPrefix(f.Name, "previous/"); ok {
				fixture.Write(t, prev, name, f.Data)
			} else if name, ok := strings.CutPrefix(f.Name, "current/"); ok {
				fixture.Write(t, cur, name, f.Data)
			} else {
				t.Fatalf("file %s is neither previous/, current/ nor usage.json", f.Name)
			}
		}
		previous, ds := load(t, prev)
		if ds.HasErrors() {
			t.Fatalf("previous mesh has errors: %v", ds)
		}
		current, ds := load(t, cur)
		p := plan.Diff(current, applied(t, previous), plan.Options{Today: today, MinSunsetDays: 30, Usage: usage})
		// As meshc plan does: the mesh's own diagnostics come too.
		p.Diagnostics = append(p.Diagnostics, ds...)
		p.Diagnostics.Sort()
		for _, c := range p.Changes {
			for _, br := range c.Breaking {
				fixture.Registered(t, br.Rule)
			}
		}
		for _, d := range p.Diagnostics {
			fixture.Registered(t, d.Code, d.Rule)
		}
		return describe(p)
	})
}

func load(t *testing.T, dir string) (*catalog.Mesh, diag.Diagnostics) {
	t.Helper()
	cfg, err := config.Load(filepath.Join(dir, "mesh.cue"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := mesh.Load(context.Background(), cfg, mesh.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return res.Mesh, res.Diagnostics
}

// applied returns the live catalog after applying m to an empty one.
func applied(t *testing.T, m *catalog.Mesh) *state.Catalog {
	t.Helper()
	p := plan.Diff(m, state.New(), plan.Options{Today: today.AddDate(0, -1, 0), MinSunsetDays: 30})
	if p.Diagnostics.HasErrors() {
		t.Fatalf("previous mesh does not apply: %v", p.Diagnostics)
	}
	live, err := p.Apply(state.New(), "test", today.AddDate(0, -1, 0))
	if err != nil {
		t.Fatal(err)
	}
	return live
}

// describe prints a plan compactly: each change with its paths, breaking
// changes and impacted consumers, then the diagnostics.
func describe(p *plan.Plan) string {
	var b strings.Builder
	fmt.Fprintf(&b, "summary: %+v\n", p.Summary)
	for _, c := range p.Pending() {
		fmt.Fprintf(&b, "%s %s", c.Action, c.Product)
		if c.Before != nil && c.After != nil {
			fmt.Fprintf(&b, " %s %s -> %s %s", c.Before.Version, c.Before.Status, c.After.Version, c.After.Status)
		}
		b.WriteString("\n")
		for _, f := range c.Fields {
			fmt.Fprintf(&b, "  ~ %s: %s -> %s\n", f.Path, show(f.Before), show(f.After))
			if f.Diff != "" {
				fmt.Fprintf(&b, "    diff: %s\n", f.Diff)
			}
		}
		for _, br := range c.Breaking {
			fmt.Fprintf(&b, "  ! %s %s: %s\n", br.Rule, br.Path, br.Message)
		}
		for _, n := range c.Notices {
			fmt.Fprintf(&b, "  i %s %s: %s\n", n.Rule, n.Path, n.Message)
		}
		for _, im := range c.Impacted {
			fmt.Fprintf(&b, "  > %s %s port=%s via=%s", im.Product, im.Team, im.Port, im.Via)
			if im.Observed {
				fmt.Fprintf(&b, " observed last_seen=%s", im.LastSeen)
			}
			b.WriteString("\n")
		}
	}
	for _, d := range p.Diagnostics {
		fmt.Fprintf(&b, "%s %s:%d:%d: %s: %s (%s)\n", d.Severity, d.File, d.Line, d.Column, d.Code, d.Message, d.Product)
	}
	return b.String()
}

func show(v any) string {
	if v == nil {
		return "∅"
	}
	if s, ok := v.(string); ok {
		return fmt.Sprintf("%q", s)
	}
	return fmt.Sprint(v)
}
