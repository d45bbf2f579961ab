package engine

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/meshc-dev/meshc/internal/pgtest"
	"github.com/meshc-dev/meshc/pkg/catalog"
	"github.com/meshc-dev/meshc/pkg/state"
	"github.com/meshc-dev/meshc/pkg/state/file"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// bigCatalog is a live catalog of n products in domains of 50, each with
// three ports of twenty fields, nested fields and a history entry per
// domain: the size of a large mesh.
func bigCatalog(n int) *state.Catalog {
	c := state.New()
	c.Lineage, c.Serial = "6c1d0a8e2f3b4c5d6e7f8091a2b3c4d5", int64(n/50)
	avail := 99.5
	for i := range n {
		dname := fmt.Sprintf("d%03d", i/50)
		if c.Domains[dname] == nil {
			c.Domains[dname] = &catalog.Domain{Name: dname, Title: "Domain " + dname, Description: "A domain of the big mesh.",
				Team: catalog.Team{Name: "Team " + dname, GitHub: "@acme/" + dname}, Source: catalog.Source{Path: "domains/" + dname, Digest: "sha256:00"}}
			c.History = append(c.History, state.Entry{Serial: int64(len(c.History) + 1), Time: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC),
				User: "ci", Sources: map[string]catalog.Source{dname: {Path: "domains/" + dname}}, Summary: state.Summary{Create: 50}})
		}
		id := fmt.Sprintf("%s.p%04d", dname, i)
		p := &catalog.Product{ID: id, Name: fmt.Sprintf("p%04d", i), Domain: dname, Title: "Product " + id,
			Description: "A product of the big mesh, with a description of some length.", Version: "1.2.3",
			Status: catalog.StatusActive, Classification: "internal", Tags: []string{"big", dname},
			SLO: &catalog.SLO{Freshness: "1h", Availability: &avail}, OutputPorts: map[string]catalog.OutputPort{}}
		if i%50 > 0 {
			p.InputPorts = map[string]catalog.InputPort{"prev": {Product: fmt.Sprintf("%s.p%04d", dname, i-1), Port: "port0"}}
		}
		for k := range 3 {
			schema := map[string]catalog.Field{}
			for f := range 20 {
				schema[fmt.Sprintf("field_%02d", f)] = catalog.Field{Type: "string", Description: "A field.", Required: f%2 == 0}
			}
			schema["nested"] = catalog.Field{Type: "object", Description: "A nested object.",
				Fields: map[string]catalog.Field{"leaf": {Type: "integer", Description: "A leaf."}}}
			p.OutputPorts[fmt.Sprintf("port%d", k)] = catalog.OutputPort{Description: "A port.", Type: "table",
				Location: fmt.Sprintf("bigquery://acme.%s.%d", id, k), Access: catalog.Access{Visibility: "public"}, Schema: schema}
		}
		c.Products[id] = p
		c.Meta[id] = state.ProductMeta{CreatedSerial: 1, UpdatedSerial: 1}
	}
	return c
}

// TestMigrateRoundTrip moves a 10,000-product catalog from the file
// backend to postgres, to git and back: the document comes back whole,
// products, domains, meta, lineage and history, plus one history entry
// per move.
func TestMigrateRoundTrip(t *testing.T) {
	if testing.Short() {
		t.Skip("moves a 10,000-product catalog twice")
	}
	ctx := context.Background()
	pg := pgtest.Start(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "mesh.cue"), []byte("platform: {name: \"big\"}\ndomains: {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	start := filepath.Join(dir, "start.json")
	n := 10000
	if raceEnabled {
		n = 1000 // the race detector makes the big one take minutes; the logic is the same
	}
	orig := bigCatalog(n)
	lock, err := file.Open(start).Lock(ctx, "test")
	if err != nil {
		t.Fatal(err)
	}
	if err := lock.Import(ctx, orig); err != nil {
		t.Fatal(err)
	}
	lock.Unlock()
	want, err := file.Open(start).Read(ctx)
	if err != nil {
		t.Fatal(err)
	}

	back := filepath.Join(dir, "back.json")
	pgURL := pg.URL(pgtest.Superuser, pg.NewDatabase(t, "")) + "&catalog=big"
	repo := filepath.Join(dir, "platform.git")
	if out, err := exec.Command("git", "init", "-q", "--bare", repo).CombinedOutput(); err != nil {
		t.Fatalf("git init: %v\n%s", err, out)
	}
	gitURL := "git+file://" + repo + "#meshc-catalog:catalog.json"
	hops := []struct{ from, to string }{{start, pgURL}, {pgURL, gitURL}, {gitURL, back}}
	for _, h := range hops {
		e, err := Open(Options{Config: filepath.Join(dir, "mesh.cue"), State: h.from, Actor: "ops", CacheDir: filepath.Join(dir, "cache")})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.Migrate(ctx, h.to); err != nil {
			t.Fatalf("migrate %s -> %s: %v", h.from, h.to, err)
		}
	}
	got, err := file.Open(back).Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got.Lineage != want.Lineage || got.Serial != want.Serial+int64(len(hops)) {
		t.Errorf("lineage %s serial %d; want %s and %d", got.Lineage, got.Serial, want.Lineage, want.Serial+int64(len(hops)))
	}
	if n := len(got.History) - len(want.History); n != len(hops) || got.History[len(got.History)-1].Action != "migrate" {
		t.Fatalf("history: %d new entries, last %+v; want the two moves", n, got.History[len(got.History)-1])
	}
	got.History, got.Serial = got.History[:len(want.History)], want.Serial
	a, err := state.Encode(want)
	if err != nil {
		t.Fatal(err)
	}
	b, err := state.Encode(got)
	if err != nil {
		t.Fatal(err)
	}
	if string(a) != string(b) {
		t.Errorf("the catalog changed on its way: %d bytes before, %d after", len(a), len(b))
	}
	if len(got.Products) != n {
		t.Errorf("%d products came back", len(got.Products))
	}
}
