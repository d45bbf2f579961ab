package render

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshc-dev/meshc/pkg/catalog"
	"github.com/meshc-dev/meshc/pkg/diag"
	"github.com/meshc-dev/meshc/pkg/plan"
	"github.com/meshc-dev/meshc/pkg/result"
)

var goldenPlans = []struct {
	name string
	plan func() *plan.Plan
}{
	{"empty", emptyPlan},
	{"creates", createsPlan},
	{"breaking", breakingPlan},
	{"blocked_delete", blockedDeletePlan},
	{"escaping", escapingPlan},
}

// TestTextGolden pins the terminal rendering of every golden plan, plain
// and (for one) coloured.
func TestTextGolden(t *testing.T) {
	for _, tc := range goldenPlans {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := PlanText(&b, tc.plan(), TextOptions{}); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(b.String(), "\x1b[") {
				t.Error("plain text has ANSI escapes")
			}
			goldenFile(t, filepath.Join("testdata", "text", tc.name+".txt"), b.String())
		})
	}
	var b bytes.Buffer
	if err := PlanText(&b, breakingPlan(), TextOptions{Color: true}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "\x1b[31m! breaking:\x1b[0m") {
		t.Errorf("coloured text does not paint breaking changes red:\n%q", b.String())
	}
}

// TestJSONGolden pins the plan's JSON form: the design's shape, stable.
func TestJSONGolden(t *testing.T) {
	for _, tc := range goldenPlans {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := JSON(&b, tc.plan()); err != nil {
				t.Fatal(err)
			}
			for _, key := range []string{`"format_version": "1"`, `"live_serial":`, `"summary": {`, `"changes": [`, `"diagnostics": [`} {
				if !strings.Contains(b.String(), key) {
					t.Errorf("JSON lacks %s", key)
				}
			}
			goldenFile(t, filepath.Join("testdata", "json", tc.name+".json"), b.String())
		})
	}
}

func TestValidationText(t *testing.T) {
	ds := diag.Diagnostics{
		diag.Errorf("unresolved-input", "input port %q reads x.y, which is not a product of the mesh", "in").At(diag.Pos{File: "domains/a/a.cue", Line: 3, Column: 5}),
		diag.Warningf("lifecycle", "input port %q reads b.c, which is deprecated", "old").At(diag.Pos{File: "domains/a/a.cue", Line: 9, Column: 2}),
	}
	ds[0].Domain, ds[0].Product = "a", "a.p"
	ds[1].Domain = "a"
	for _, tc := range []struct {
		name string
		v    *result.Validation
	}{
		{"validation_errors", result.NewValidation(2, 5, ds)},
		{"validation_warning", result.NewValidation(2, 5, ds[1:])},
		{"validation_clean", result.NewValidation(1, 1, nil)},
	} {
		var b bytes.Buffer
		if err := ValidationText(&b, tc.v); err != nil {
			t.Fatal(err)
		}
		goldenFile(t, filepath.Join("testdata", "text", tc.name+".txt"), b.String())
	}
}

func TestGraphs(t *testing.T) {
	m := catalog.NewMesh()
	m.Add(&catalog.Domain{Name: "orders"}, []*catalog.Product{
		{ID: "orders.events", Domain: "orders", Version: "1.0.0", Status: "active"},
		{ID: "orders.legacy", Domain: "orders", Version: "0.9.0", Status: "deprecated"},
	})
	m.Add(&catalog.Domain{Name: "finance"}, []*catalog.Product{
		{ID: "finance.revenue", Domain: "finance", Version: "2.1.0", Status: "active",
			InputPorts: map[string]catalog.InputPort{"o": {Product: "orders.events", Port: "stream"}, "gone": {Product: "x.y", Port: "z"}}},
	})
	var mer, dot bytes.Buffer
	if err := Mermaid(&mer, m); err != nil {
		t.Fatal(err)
	}
	if err := DOT(&dot, m); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(mer.String(), "orders__events -- stream --> finance__revenue") || strings.Contains(mer.String(), "x__y") {
		t.Errorf("mermaid edges wrong:\n%s", mer.String())
	}
	goldenFile(t, filepath.Join("testdata", "graph", "mesh.mmd"), mer.String())
	goldenFile(t, filepath.Join("testdata", "graph", "mesh.dot"), dot.String())
}
