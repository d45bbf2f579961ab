package plan

import (
	"fmt"
	"testing"
	"time"

	"github.com/meshc-dev/meshc/pkg/catalog"
	"github.com/meshc-dev/meshc/pkg/state"
)

// chainMesh is a > b > c, with a > d: b and d read a, c reads b.
func chainMesh() *catalog.Mesh {
	m := catalog.NewMesh()
	m.Domains["x"] = &catalog.Domain{Name: "x", Team: catalog.Team{GitHub: "@acme/x"}}
	m.Domains["y"] = &catalog.Domain{Name: "y", Team: catalog.Team{GitHub: "@acme/y"}}
	add := func(id, domain string, reads ...string) {
		p := &catalog.Product{ID: id, Domain: domain, Version: "1.0.0", Status: catalog.StatusActive,
			OutputPorts: map[string]catalog.OutputPort{"out": {Type: "table", Location: "s3://" + id}},
			InputPorts:  map[string]catalog.InputPort{}}
		for _, r := range reads {
			p.InputPorts[r] = catalog.InputPort{Product: r, Port: "out"}
		}
		m.Products[id] = p
	}
	add("x.a", "x")
	add("x.b", "x", "x.a")
	add("y.c", "y", "x.b")
	add("y.d", "y", "x.a")
	return m
}

func TestConsumersOf(t *testing.T) {
	c := NewConsumers(chainMesh())
	got, more := c.Of("x.a", 0)
	want := "[{x.b @acme/x out  false } {y.d @acme/y out  false } {y.c @acme/y  x.b false }]"
	if fmt.Sprint(got) != want || more {
		t.Errorf("Of(x.a) = %v %v, want %s false", got, more, want)
	}
	got, more = c.Of("x.a", 0)
	if len(got) != 3 {
		t.Errorf("a second call gave %v", got)
	}
	if got, _ := c.Of("y.c", 0); len(got) != 0 {
		t.Errorf("Of(y.c) = %v, want none", got)
	}
	// A limit bounds the downstream part only.
	m := chainMesh()
	m.Products["y.e"] = &catalog.Product{ID: "y.e", Domain: "y", InputPorts: map[string]catalog.InputPort{"c": {Product: "y.c", Port: "out"}}}
	got, more = NewConsumers(m).Of("x.a", 1)
	if len(got) != 3 || !more {
		t.Errorf("Of(x.a, limit 1) = %v %v, want the 2 direct, 1 downstream and more", got, more)
	}
}

func TestApplyRecordsProductChanges(t *testing.T) {
	live := state.New()
	m := chainMesh()
	p := Diff(m, live, Options{})
	next, err := p.Apply(live, "ada", time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	h := next.History[len(next.History)-1]
	if len(h.Changes) != 4 || h.Changes[0] != (state.ProductChange{Product: "x.a", Action: Create, Version: "1.0.0"}) {
		t.Errorf("changes %+v, want the 4 creates, x.a first", h.Changes)
	}
	// An update of x.a that removes its port breaks b and d.
	m2 := chainMesh()
	pa := *m2.Products["x.a"]
	pa.Version = "2.0.0"
	pa.OutputPorts = map[string]catalog.OutputPort{"other": {Type: "table", Location: "s3://other"}}
	m2.Products["x.a"] = &pa
	p2 := Diff(m2, next, Options{})
	next2, err := p2.Apply(next, "ada", time.Date(2026, 5, 2, 0, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatalf("%v %v", err, p2.Diagnostics)
	}
	h = next2.History[len(next2.History)-1]
	if fmt.Sprint(h.Changes) != "[{x.a update 2.0.0 true}]" {
		t.Errorf("changes %+v, want x.a's breaking update only", h.Changes)
	}
}
