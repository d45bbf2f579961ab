package score_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/meshc-dev/meshc/pkg/catalog"
	"github.com/meshc-dev/meshc/pkg/config"
	"github.com/meshc-dev/meshc/pkg/rule"
	"github.com/meshc-dev/meshc/pkg/score"
	"github.com/meshc-dev/meshc/pkg/state"
)

var today = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

func load(t *testing.T, policy string) (*score.Scorecard, error) {
	t.Helper()
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "policies"), 0o755)
	os.WriteFile(filepath.Join(dir, "mesh.cue"), []byte(`platform: {name: "acme", policies: "./policies"}
domains: {}
`), 0o644)
	os.WriteFile(filepath.Join(dir, "policies", "p.cue"), []byte("package mesh\n\n"+policy), 0o644)
	cfg, err := config.Load(filepath.Join(dir, "mesh.cue"))
	if err != nil {
		t.Fatal(err)
	}
	return score.Load(cfg)
}

// TestExampleScorecard loads catalog-example's scorecard and registers
// its checks as rules.
func TestExampleScorecard(t *testing.T) {
	cfg, err := config.Load("../../catalog-example/mesh.cue")
	if err != nil {
		t.Fatal(err)
	}
	sc, err := score.Load(cfg)
	if err != nil || sc == nil {
		t.Fatalf("Load = %v, %v", sc, err)
	}
	if len(sc.Checks) != 7 || sc.Levels["gold"] != 90 {
		t.Errorf("scorecard = %+v", sc)
	}
	r, ok := rule.Lookup("score-no-shadow-consumers")
	if !ok || r.Stage != rule.Score || !strings.Contains(r.Purpose, "Every observed consumer is declared") {
		t.Errorf("rule score-no-shadow-consumers = %+v, %v", r, ok)
	}
	// Loading again registers nothing twice.
	if _, err := score.Load(cfg); err != nil {
		t.Fatal(err)
	}
}

func TestScore(t *testing.T) {
	sc, err := load(t, `#Scorecard: {
	checks: {
		desc: {kind: "description", weight: 1, minWords: 3}
		slo: {kind: "slo", weight: 1}
		"no-shadow": {kind: "no-shadow", weight: 2}
	}
	levels: {bronze: 25, gold: 100}
}`)
	if err != nil {
		t.Fatal(err)
	}
	m := catalog.NewMesh()
	m.Add(&catalog.Domain{Name: "sales", Team: catalog.Team{GitHub: "@acme/sales"}}, []*catalog.Product{
		{ID: "sales.orders", Domain: "sales", Description: "Every order, as placed.", SLO: &catalog.SLO{Freshness: "1h"},
			OutputPorts: map[string]catalog.OutputPort{"events": {Location: "kafka://sales.orders"}}},
		{ID: "sales.carts", Domain: "sales", Description: "Carts.", OutputPorts: map[string]catalog.OutputPort{"main": {Location: "kafka://sales.carts"}}},
	})
	usage := []state.UsageAggregate{{UsageRead: state.UsageRead{Product: "sales.carts", Port: "main", Consumer: "job:airflow/x"}, Day: "2026-11-30", Runs: 1, LastSeen: today.Add(-24 * time.Hour)}}
	got := sc.Score(m, score.Options{Today: today, Usage: usage, Previous: map[string]float64{"sales.orders": 50}})
	if len(got.Products) != 2 {
		t.Fatalf("products = %+v", got.Products)
	}
	carts, orders := got.Products[0], got.Products[1]
	if orders.Score != 100 || orders.Level != "gold" || orders.Previous == nil || *orders.Previous != 50 {
		t.Errorf("sales.orders = %+v", orders)
	}
	if carts.Score != 0 || carts.Level != "" {
		t.Errorf("sales.carts = %+v", carts)
	}
	for _, c := range carts.Checks {
		if c.ID == "score-no-shadow" && (c.Passed || c.Detail != "shadow consumers: job:airflow/x") {
			t.Errorf("no-shadow on carts = %+v", c)
		}
	}
	if len(got.Domains) != 1 || got.Domains[0].Score != 50 || got.Domains[0].Level != "bronze" || len(got.Teams) != 1 {
		t.Errorf("roll-ups = %+v %+v", got.Domains, got.Teams)
	}
}

func TestBadScorecards(t *testing.T) {
	for policy, want := range map[string]string{
		`#Scorecard: {checks: x: {kind: "vibes", weight: 1}, levels: {}}`:     `unknown kind "vibes"`,
		`#Scorecard: {checks: x: {kind: "slo", weight: 0}, levels: {}}`:       "weight must be positive",
		`#Scorecard: {checks: X_1: {kind: "slo", weight: 1}, levels: {}}`:     "a check's ID is lower-case words",
		`#Scorecard: {checks: x: {kind: "slo", weight: 1}, levels: {a: 200}}`: "a threshold is a score from 0 to 100",
		`#Scorecard: {checks: x: {kind: "slo", wieght: 1}, levels: {}}`:       "unknown field",
	} {
		_, err := load(t, policy)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: err = %v, want %q", policy, err, want)
		}
	}
	if sc, err := load(t, `#Team: github: =~"^@acme/"`); sc != nil || err != nil {
		t.Errorf("policies without #Scorecard: %v, %v; want none", sc, err)
	}
}
