package render

import (
	"bytes"
	"path/filepath"
	"testing"
	"time"

	"github.com/meshc-dev/meshc/pkg/catalog"
	"github.com/meshc-dev/meshc/pkg/result"
	"github.com/meshc-dev/meshc/pkg/state"
)

// samples are one result of every kind, rendered by every format that
// claims the kind.
func samples() map[Kind]func(f Format, b *bytes.Buffer) error {
	p := breakingPlan()
	ds := p.Diagnostics
	live := state.New()
	live.Serial, live.Lineage = 3, "0123abcd"
	live.Domains["orders"] = &catalog.Domain{Name: "orders", Team: catalog.Team{GitHub: "@acme/orders"}}
	live.Products["orders.orders"] = &catalog.Product{ID: "orders.orders", Domain: "orders", Version: "1.0.0", Status: "active",
		OutputPorts: map[string]catalog.OutputPort{"orders": {}}}
	entries := []state.Entry{{Serial: 3, Time: time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC), User: "ci",
		Sources: map[string]catalog.Source{"orders": {Commit: "0123456789abcdef0123"}}, Summary: state.Summary{Update: 1}}}
	o := Options{Title: "meshc run for acme"}
	return map[Kind]func(Format, *bytes.Buffer) error{
		KindValidation: func(f Format, b *bytes.Buffer) error {
			return f.(ValidationFormat).Validation(b, result.NewValidation(2, 3, ds), o)
		},
		KindPlan: func(f Format, b *bytes.Buffer) error { return f.(PlanFormat).Plan(b, p, o) },
		KindApply: func(f Format, b *bytes.Buffer) error {
			return f.(ApplyFormat).Apply(b, &result.Apply{Applied: true, Serial: 4, Plan: p}, o)
		},
		KindReconcile: func(f Format, b *bytes.Buffer) error {
			return f.(ReconcileFormat).Reconcile(b, &result.Reconcile{Plan: p, Applied: true, Serial: 4}, o)
		},
		KindCatalog: func(f Format, b *bytes.Buffer) error { return f.(CatalogFormat).Catalog(b, live, o) },
		KindHistory: func(f Format, b *bytes.Buffer) error { return f.(HistoryFormat).History(b, entries, o) },
		KindGraph:   func(f Format, b *bytes.Buffer) error { return f.(GraphFormat).Graph(b, live.Mesh(), o) },
	}
}

// TestEveryFormat renders one result of every kind in every registered
// format that claims it, against testdata/formats/<format>/<kind>: a new
// format is its own file plus these goldens.
func TestEveryFormat(t *testing.T) {
	if len(registry) < 5 {
		t.Fatalf("only %d formats registered", len(registry))
	}
	rendered := map[Kind]int{}
	for _, r := range registry {
		for kind, render := range samples() {
			if !renders(r.f, kind) {
				continue
			}
			rendered[kind]++
			t.Run(r.f.Name()+"/"+string(kind), func(t *testing.T) {
				var b bytes.Buffer
				if err := render(r.f, &b); err != nil {
					t.Fatal(err)
				}
				if b.Len() == 0 {
					t.Fatal("rendered nothing")
				}
				goldenFile(t, filepath.Join("testdata", "formats", r.f.Name(), string(kind)), b.String())
			})
		}
	}
	for kind := range samples() {
		if rendered[kind] < 2 {
			t.Errorf("kind %s has %d formats: every kind has text or a drawing, and json", kind, rendered[kind])
		}
	}
}

func TestNamesAndLookup(t *testing.T) {
	if got := Names(KindGraph, "mermaid"); len(got) != 3 || got[0] != "mermaid" {
		t.Errorf("graph formats = %v, want mermaid first of three", got)
	}
	if _, err := Lookup(KindPlan, "dot"); err == nil || err.Error() != `unknown --format "dot": use text|json|markdown` {
		t.Errorf("Lookup(plan, dot) = %v", err)
	}
	if f, err := Lookup(KindHistory, "json"); err != nil || f.Name() != "json" {
		t.Errorf("Lookup(history, json) = %v, %v", f, err)
	}
}
