package engine

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshc-dev/meshc/pkg/catalog"
	"github.com/meshc-dev/meshc/pkg/diag"
	"github.com/meshc-dev/meshc/pkg/plan"
	"github.com/meshc-dev/meshc/pkg/state"
)

// savedPlan applies the example, makes a plan that bumps orders.orders'
// minor version, saves it and returns the engine and the file.
func savedPlan(t *testing.T) (*Engine, string) {
	t.Helper()
	ctx := context.Background()
	cfg := example(t)
	mustApply(t, open(t, cfg, nil))
	orders := filepath.Join(filepath.Dir(cfg), "domains", "orders", "orders.cue")
	b, err := os.ReadFile(orders)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(orders, []byte(strings.Replace(string(b), `version:        "2.0.1"`, `version:        "2.1.0"`, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	e := open(t, cfg, nil)
	pl, err := e.Plan(ctx)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "plan.json")
	if err := e.SavePlan(file, pl); err != nil {
		t.Fatal(err)
	}
	return e, file
}

// tamper loads the plan at file, lets edit change it, seals it again for
// its own mesh (as a forger who knows the checksum's recipe would) and
// writes it back.
func tamper(t *testing.T, e *Engine, file string, edit func(p *plan.Plan, live *state.Catalog)) {
	t.Helper()
	p, err := plan.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	live, err := e.Live(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	edit(p, live)
	p.Seal(*p.Mesh)
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// refused applies the plan at file and checks it is refused with an error
// of code whose message contains want, and that nothing was written.
func refused(t *testing.T, e *Engine, file, code, want string) {
	t.Helper()
	ctx := context.Background()
	pl, err := e.LoadPlan(file)
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.Apply(ctx, pl)
	if err != nil {
		t.Fatal(err)
	}
	if res.Applied {
		t.Fatalf("the plan was applied: %+v", res)
	}
	found := false
	for _, d := range res.Diagnostics {
		if d.Code == code && strings.Contains(d.Message, want) {
			found = true
		}
	}
	if !found {
		t.Errorf("refusal has no %s error saying %q: %v", code, want, res.Diagnostics)
	}
	live, err := e.Live(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if live.Serial != 1 {
		t.Errorf("the live catalog is at serial %d, want 1: something was written", live.Serial)
	}
}

func TestSavedPlanApplies(t *testing.T) {
	e, file := savedPlan(t)
	pl, err := e.LoadPlan(file)
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.Apply(context.Background(), pl)
	if err != nil || !res.Applied || res.Serial != 2 {
		t.Fatalf("apply: %v, %+v", err, res)
	}
}

func TestPlanWithErrorsIsNotSaved(t *testing.T) {
	ctx := context.Background()
	cfg := example(t)
	orders := filepath.Join(filepath.Dir(cfg), "domains", "orders", "orders.cue")
	b, _ := os.ReadFile(orders)
	if err := os.WriteFile(orders, []byte(strings.Replace(string(b), `version:        "2.0.1"`, `version:        "2.0"`, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	e := open(t, cfg, nil)
	pl, err := e.Plan(ctx)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "plan.json")
	err = e.SavePlan(file, pl)
	if _, ok := err.(*plan.ErrorsError); !ok || !strings.Contains(err.Error(), "a plan with errors cannot be applied") {
		t.Fatalf("saving a plan with errors: %v", err)
	}
	if _, err := os.Stat(file); !os.IsNotExist(err) {
		t.Errorf("the plan with errors was saved: %v", err)
	}
}

// TestTamperedPlans edits a saved plan in the ways the file could be
// edited, each sealed again so the checksum matches: every one is refused,
// because the plan is diffed and checked again.
func TestTamperedPlans(t *testing.T) {
	cases := []struct {
		name, code, want string
		edit             func(p *plan.Plan, live *state.Catalog)
	}{
		{"checksum", "sealed-plan", "checksum does not match", nil},
		{"deletes every product, listing none", "sealed-plan", "does not make the changes it lists", func(p *plan.Plan, live *state.Catalog) {
			p.Desired.Products = map[string]*catalog.Product{}
		}},
		{"widens a restricted port unlisted", "sealed-plan", "customers.customer_profiles: the plan does not list its update", func(p *plan.Plan, live *state.Catalog) {
			pr := p.Desired.Products["customers.customer_profiles"]
			for name, port := range pr.OutputPorts {
				port.Access = catalog.Access{Visibility: "public"}
				pr.OutputPorts[name] = port
			}
		}},
		{"a product of another domain", "sealed-plan", `has id "orders.evil"`, func(p *plan.Plan, live *state.Catalog) {
			pr := *p.Desired.Products["payments.refunds"]
			pr.ID, pr.Name = "orders.evil", "evil"
			p.Desired.Products["payments.evil"] = &pr
		}},
		{"a domain the mesh has not", "sealed-plan", `domain "rogue"`, func(p *plan.Plan, live *state.Catalog) {
			p.Desired.Domains["rogue"] = &catalog.Domain{Name: "rogue"}
		}},
		{"drops its own errors", "pii-classified", "violates the policy at policies/acme.cue", func(p *plan.Plan, live *state.Catalog) {
			// A PII product made public: the acme policy forbids it. The
			// listed changes are made to match, and no error is listed.
			pr := p.Desired.Products["customers.crm_contacts"]
			pr.Classification = "public"
			again := plan.Diff(&catalog.Mesh{Domains: p.Desired.Domains, Products: p.Desired.Products}, live, plan.Options{})
			p.Changes, p.Summary, p.Diagnostics = again.Changes, again.Summary, diag.Diagnostics{}
		}},
		{"another platform", "sealed-plan", `made for platform "other"`, func(p *plan.Plan, live *state.Catalog) { p.Mesh.Platform = "other" }},
		{"another live catalog", "sealed-plan", "it is another mesh's plan", func(p *plan.Plan, live *state.Catalog) {
			p.Mesh.Lineage, p.Lineage = "0123456789abcdef0123456789abcdef", "0123456789abcdef0123456789abcdef"
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e, file := savedPlan(t)
			if c.edit == nil {
				b, _ := os.ReadFile(file)
				os.WriteFile(file, []byte(strings.Replace(string(b), `"version": "2.1.0"`, `"version": "9.0.0"`, 1)), 0o644)
			} else {
				tamper(t, e, file, c.edit)
			}
			refused(t, e, file, c.code, c.want)
		})
	}
}
