package engine

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/meshc-dev/meshc/internal/meshgen"
	"github.com/meshc-dev/meshc/pkg/plan"
)

// planOf plans with the domains of local from their checkouts and the
// others live: reading the whole live catalog or only the part they touch.
func planOf(t *testing.T, cfg string, local map[string]string, whole bool) *Planned {
	t.Helper()
	e, err := Open(Options{Config: cfg, Local: local, Actor: "test", WholeLive: whole,
		Now: func() time.Time { return time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	pl, err := e.Plan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return pl
}

// shown is what a plan shows: all of it but its desired catalog, which
// for a plan made against part of the live catalog is that part.
func shown(t *testing.T, p *plan.Plan) string {
	t.Helper()
	q := *p
	q.Desired = nil
	b, err := json.MarshalIndent(&q, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestPartCheckIsWholeCheck checks that a pull-request check against the
// part of the live catalog its domain touches says exactly what the check
// against the whole catalog says: every rule of the mesh and of change
// that a domain's change can trip, with the consumers it hits.
func TestPartCheckIsWholeCheck(t *testing.T) {
	cfg := example(t)
	mustApply(t, open(t, cfg, nil))
	for _, tc := range []struct {
		name, domain, file, old, new string
		want                         string // a rule the plan must report
	}{
		{"unchanged", "orders", "orders.cue", "", "", ""},
		{"breaking, consumers hit transitively", "orders", "orders.cue",
			`item_count: {type: "integer", required: true, description: "Total number of units ordered."}`, ``, "field-removed"},
		{"port renamed under its consumers", "orders", "orders.cue", "\t\torders: {\n", "\t\torders_v2: {\n", "unresolved-input"},
		{"duplicate location", "orders", "orders.cue", `"bigquery://acme.orders.open_orders"`, `"bigquery://acme.finance.revenue_daily"`, "duplicate"},
		{"duplicate dataset", "payments", "payments.cue", `location:    "kafka://payments.transactions.v3"`,
			`location:    "kafka://payments.transactions.v3"` + "\n\t\tlineage: [{namespace: \"kafka\", name: \"orders.events.v1\"}]", "lineage"},
		{"cycle through other domains", "customers", "crm_contacts.cue", "\toutputPorts: raw: {",
			"\tinputPorts: seg: {product: \"marketing.customer_segments\", port: \"segments\"}\n\toutputPorts: raw: {", "cycle"},
		{"typo in an input", "finance", "finance.cue", `product: "orders.orders", port: "orders"`, `product: "orders.order", port: "orders"`, "unresolved-input"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := checkout(t, cfg, tc.domain, tc.file, tc.old, tc.new)
			local := map[string]string{tc.domain: dir}
			whole, part := planOf(t, cfg, local, true), planOf(t, cfg, local, false)
			if !part.Plan.Part() || whole.Plan.Part() {
				t.Fatalf("Part: %v for the part check, %v for the whole", part.Plan.Part(), whole.Plan.Part())
			}
			if got, want := shown(t, part.Plan), shown(t, whole.Plan); got != want {
				t.Errorf("the check against part of the live catalog differs from the check against all of it:\n%s\n--- whole:\n%s", got, want)
			}
			if tc.want != "" && !strings.Contains(shown(t, whole.Plan), `"`+tc.want+`"`) {
				t.Errorf("the plan reports no %s:\n%s", tc.want, shown(t, whole.Plan))
			}
		})
	}
}

// TestPartCheckReadsLittle checks that the check of one domain of a large
// mesh reads a small part of the live catalog, and says what the check of
// the whole says.
func TestPartCheckReadsLittle(t *testing.T) {
	dir := t.TempDir()
	if _, err := meshgen.Write(dir, meshgen.Options{Domains: 40, ProductsPerDomain: 10, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(dir, "mesh.cue")
	mustApply(t, open(t, cfg, nil))
	entries, err := os.ReadDir(filepath.Join(dir, "domains"))
	if err != nil {
		t.Fatal(err)
	}
	name := entries[len(entries)/2].Name()
	local := map[string]string{name: filepath.Join(dir, "domains", name)}
	e := open(t, cfg, local)
	l, err := e.load(context.Background(), true, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	if l.live.Part() == nil || len(l.live.Part().Products) != 400 {
		t.Fatalf("the check did not read through the index of the 400 products")
	}
	read := 0 // stubs, made from the index, have no output ports
	for _, p := range l.live.Products {
		if len(p.OutputPorts) > 0 {
			read++
		}
	}
	if read > 100 {
		t.Errorf("the check of one domain of 10 products read %d of 400 live products (and stubbed %d)", read, len(l.live.Products)-read)
	}
	whole, part := planOf(t, cfg, local, true), planOf(t, cfg, local, false)
	if got, want := shown(t, part.Plan), shown(t, whole.Plan); got != want {
		t.Errorf("the part check differs from the whole check:\n%s\n--- whole:\n%s", got, want)
	}
}
