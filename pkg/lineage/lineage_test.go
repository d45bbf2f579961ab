package lineage

import (
	"fmt"
	"strings"
	"testing"
)

func graph(ids string, edges ...string) Graph {
	var g Graph
	for _, id := range strings.Fields(ids) {
		g.Nodes = append(g.Nodes, Node{ID: id, Label: id})
	}
	for _, e := range edges {
		from, to, _ := strings.Cut(e, ">")
		g.Edges = append(g.Edges, Edge{From: from, To: to})
	}
	return g
}

func layers(d *Drawing) map[string]int {
	m := map[string]int{}
	for _, b := range d.Boxes {
		m[b.ID] = b.Layer
	}
	return m
}

func TestLayers(t *testing.T) {
	// a > b > c, and s feeds c only: s is drawn next to c, not at the left.
	d := Layout(graph("a b c s", "a>b", "b>c", "s>c"))
	got := layers(d)
	want := map[string]int{"a": 0, "b": 1, "c": 2, "s": 1}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("layers %v, want %v", got, want)
	}
	for _, p := range d.Paths {
		if p.Points[0].X >= p.Points[len(p.Points)-1].X {
			t.Errorf("edge %s>%s runs right to left: %v", p.From, p.To, p.Points)
		}
	}
}

func TestLongEdgeGetsCorridor(t *testing.T) {
	d := Layout(graph("a b c", "a>b", "b>c", "a>c"))
	for _, p := range d.Paths {
		if p.From == "a" && p.To == "c" && len(p.Points) != 4 {
			t.Errorf("a>c crosses a layer: want start, two corridor points, end; got %v", p.Points)
		}
	}
}

func TestCrossingsReduced(t *testing.T) {
	// Given in the worst order: a1 reads b2's... every edge crosses.
	g := graph("a1 a2 a3 b1 b2 b3", "a1>b3", "a2>b2", "a3>b1")
	d := Layout(g)
	if d.Crossings != 0 {
		t.Errorf("%d crossings left, want 0", d.Crossings)
	}
	y := map[string]float64{}
	for _, b := range d.Boxes {
		y[b.ID] = b.Y
	}
	if !(y["b3"] < y["b2"] && y["b2"] < y["b1"]) {
		t.Errorf("b column not ordered by its producers: %v", y)
	}
}

func TestCountCrossings(t *testing.T) {
	vs := []vertex{{pos: 0, out: []int{3}}, {pos: 1, out: []int{2}}, {pos: 0}, {pos: 1}}
	if got := countCrossings(vs, []int{0, 1}); got != 1 {
		t.Errorf("countCrossings = %d, want 1", got)
	}
}

func TestCycleAndDuplicates(t *testing.T) {
	d := Layout(graph("a b c a", "a>b", "b>c", "c>a", "a>a", "a>b", "x>a"))
	if len(d.Boxes) != 3 {
		t.Fatalf("%d boxes, want 3 (a repeated id is drawn once)", len(d.Boxes))
	}
	if len(d.Paths) != 3 {
		t.Fatalf("%d paths, want 3 (no self-loop, repeat or unknown node): %+v", len(d.Paths), d.Paths)
	}
	reversed := 0
	for _, p := range d.Paths {
		if p.Reversed {
			reversed++
			if p.From != "c" || p.To != "a" {
				t.Errorf("reversed %s>%s, want c>a", p.From, p.To)
			}
		}
	}
	if reversed != 1 {
		t.Errorf("%d edges reversed, want 1", reversed)
	}
}

func TestBoxesDoNotOverlap(t *testing.T) {
	var g Graph
	for i := range 30 {
		g.Nodes = append(g.Nodes, Node{ID: fmt.Sprint(i)})
		if i > 0 {
			g.Edges = append(g.Edges, Edge{From: fmt.Sprint(i / 3), To: fmt.Sprint(i)})
		}
	}
	d := Layout(g)
	for i, a := range d.Boxes {
		if a.X < 0 || a.Y < 0 || a.X+a.W > d.Width || a.Y+a.H > d.Height {
			t.Errorf("box %s at %v,%v outside %vx%v", a.ID, a.X, a.Y, d.Width, d.Height)
		}
		for _, b := range d.Boxes[i+1:] {
			if a.X == b.X && a.Y < b.Y+b.H && b.Y < a.Y+a.H {
				t.Errorf("boxes %s and %s overlap", a.ID, b.ID)
			}
		}
	}
}

func TestEmpty(t *testing.T) {
	d := Layout(Graph{})
	if len(d.Boxes) != 0 || d.Width <= 0 || d.Height <= 0 {
		t.Errorf("empty drawing %+v", d)
	}
	if _, err := SVG(d, "x", "empty"); err != nil {
		t.Fatal(err)
	}
}

func TestSVGEscapes(t *testing.T) {
	payload := `<script>alert(1)</script>"'&`
	g := Graph{Nodes: []Node{
		{ID: payload, Label: payload, Sub: payload, Title: payload, Class: `x" onclick="alert(1)`, Href: "javascript:alert(1)"},
		{ID: "b", Label: "b", Href: "../p/b.html"},
	}, Edges: []Edge{{From: payload, To: "b"}}}
	svg, err := SVG(Layout(g), `"><script>`, payload)
	if err != nil {
		t.Fatal(err)
	}
	s := string(svg)
	for _, bad := range []string{"<script", "javascript:", `" onclick`, `"><script`} {
		if strings.Contains(s, bad) {
			t.Errorf("SVG holds %q unescaped:\n%s", bad, s)
		}
	}
	if !strings.Contains(s, `href="../p/b.html"`) {
		t.Errorf("SVG lost a safe link:\n%s", s)
	}
	if !strings.Contains(s, "&lt;script&gt;") {
		t.Errorf("SVG lost the label's text:\n%s", s)
	}
}
