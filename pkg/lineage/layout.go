package lineage

import (
	"cmp"
	"slices"
)

// Node is one box of the graph.
type Node struct {
	ID    string // unique in the graph
	Label string // first line
	Sub   string // second line, smaller
	Class string // CSS class, e.g. the product's status
	Href  string // where the box links to; empty for none
	Title string // tooltip
	Focus bool   // the graph's subject, drawn emphasised
}

// Edge is a dependency: From is read by To.
type Edge struct {
	From, To string
}

// Graph is what Layout lays out. Edges to unknown nodes are ignored.
type Graph struct {
	Nodes []Node
	Edges []Edge
}

// Point is a position in the drawing, in pixels from the top left.
type Point struct{ X, Y float64 }

// Box is a node placed in the drawing.
type Box struct {
	Node
	Layer int
	X, Y  float64 // top left
	W, H  float64
}

// Path is an edge routed through the drawing: from the right side of its
// source box to the left side of its target, through the dummy points of
// the layers it crosses.
type Path struct {
	From, To string
	Points   []Point
	Reversed bool // the edge was turned around to break a cycle
}

// Drawing is a laid-out graph.
type Drawing struct {
	Width, Height float64
	Boxes         []Box
	Paths         []Path
	Crossings     int // edge crossings left between adjacent layers
}

// Sizes of the drawing, in pixels.
const (
	BoxWidth  = 210.0
	BoxHeight = 44.0
	layerGap  = 70.0 // between the columns of two layers
	rowGap    = 18.0 // between two boxes of a layer
	margin    = 12.0
	sweeps    = 12 // barycenter sweeps, down and up
)

// vertex is a node or a dummy node of the layered graph.
type vertex struct {
	node  int // index in g.Nodes, or -1 for a dummy
	layer int
	pos   int     // order within its layer
	y     float64 // centre
	in    []int   // vertices of the previous layer
	out   []int   // vertices of the next layer
}

// arc is an edge between node indexes, turned around when it closed a
// cycle.
type arc struct {
	from, to int
	rev      bool
}

// Layout lays g out left to right, one column per layer. The result
// depends only on g (the order of its nodes and edges included).
func Layout(g Graph) *Drawing {
	index := make(map[string]int, len(g.Nodes))
	for i, n := range g.Nodes {
		if _, dup := index[n.ID]; !dup {
			index[n.ID] = i
		}
	}
	arcs := acyclic(g, index)
	layer := assignLayers(len(g.Nodes), arcs)

	// Vertices: nodes first, then one dummy per layer an edge crosses.
	vs := make([]vertex, len(g.Nodes))
	for i := range g.Nodes {
		vs[i] = vertex{node: i, layer: layer[i]}
	}
	chains := make([][]int, len(arcs))
	for k, a := range arcs {
		verts := []int{a.from}
		for l := layer[a.from] + 1; l < layer[a.to]; l++ {
			vs = append(vs, vertex{node: -1, layer: l})
			verts = append(verts, len(vs)-1)
		}
		verts = append(verts, a.to)
		for i := 0; i+1 < len(verts); i++ {
			vs[verts[i]].out = append(vs[verts[i]].out, verts[i+1])
			vs[verts[i+1]].in = append(vs[verts[i+1]].in, verts[i])
		}
		chains[k] = verts
	}
	layers := orderLayers(vs)
	crossings := 0
	for l := 0; l+1 < len(layers); l++ {
		crossings += countCrossings(vs, layers[l])
	}
	height := placeRows(vs, layers)

	d := &Drawing{Crossings: crossings}
	x := func(l int) float64 { return margin + float64(l)*(BoxWidth+layerGap) }
	for i, n := range g.Nodes {
		if index[n.ID] != i {
			continue // a repeated id
		}
		v := vs[i]
		d.Boxes = append(d.Boxes, Box{Node: n, Layer: v.layer, X: x(v.layer), Y: v.y - BoxHeight/2, W: BoxWidth, H: BoxHeight})
	}
	for k, a := range arcs {
		var pts []Point
		verts := chains[k]
		for i, vi := range verts {
			v := vs[vi]
			switch {
			case i == 0:
				pts = append(pts, Point{x(v.layer) + BoxWidth, v.y})
			case i == len(verts)-1:
				pts = append(pts, Point{x(v.layer), v.y})
			default:
				// A dummy is a corridor across its layer's column.
				pts = append(pts, Point{x(v.layer), v.y}, Point{x(v.layer) + BoxWidth, v.y})
			}
		}
		from, to := g.Nodes[a.from].ID, g.Nodes[a.to].ID
		if a.rev {
			from, to = to, from
		}
		d.Paths = append(d.Paths, Path{From: from, To: to, Points: pts, Reversed: a.rev})
	}
	d.Width = 2 * margin
	if len(layers) > 0 {
		d.Width = x(len(layers)-1) + BoxWidth + margin
	}
	d.Height = height + 2*margin
	return d
}

// acyclic returns g's edges between known nodes, without self-loops and
// repeats, with each edge that closes a cycle (found by a depth-first
// search in node order) turned around.
func acyclic(g Graph, index map[string]int) []arc {
	out := make([][]int, len(g.Nodes))
	var arcs []arc
	seen := map[[2]int]bool{}
	for _, e := range g.Edges {
		f, okf := index[e.From]
		t, okt := index[e.To]
		if !okf || !okt || f == t || seen[[2]int{f, t}] {
			continue
		}
		seen[[2]int{f, t}] = true
		arcs = append(arcs, arc{from: f, to: t})
		out[f] = append(out[f], len(arcs)-1)
	}
	const (
		white = iota
		grey
		black
	)
	colour := make([]int, len(g.Nodes))
	var visit func(int)
	visit = func(n int) {
		colour[n] = grey
		for _, k := range out[n] {
			switch t := arcs[k].to; colour[t] {
			case white:
				visit(t)
			case grey:
				arcs[k].rev = true
			}
		}
		colour[n] = black
	}
	for n := range g.Nodes {
		if colour[n] == white {
			visit(n)
		}
	}
	for k, a := range arcs {
		if a.rev {
			arcs[k].from, arcs[k].to = a.to, a.from
		}
	}
	return arcs
}

// assignLayers gives each node the length of the longest path that reaches
// it, then moves every node that feeds others as far right as its
// consumers allow, so that a source read only by late layers is drawn next
// to them: edges stay short.
func assignLayers(n int, arcs []arc) []int {
	in := make([][]int, n)
	out := make([][]int, n)
	indeg := make([]int, n)
	for _, a := range arcs {
		out[a.from] = append(out[a.from], a.to)
		in[a.to] = append(in[a.to], a.from)
		indeg[a.to]++
	}
	// Kahn's order: the graph is acyclic now.
	var order, queue []int
	for v := range n {
		if indeg[v] == 0 {
			queue = append(queue, v)
		}
	}
	for len(queue) > 0 {
		v := queue[0]
		queue = queue[1:]
		order = append(order, v)
		for _, t := range out[v] {
			if indeg[t]--; indeg[t] == 0 {
				queue = append(queue, t)
			}
		}
	}
	layer := make([]int, n)
	for _, v := range order {
		for _, f := range in[v] {
			layer[v] = max(layer[v], layer[f]+1)
		}
	}
	for i := len(order) - 1; i >= 0; i-- {
		v := order[i]
		if len(out[v]) == 0 {
			continue
		}
		lowest := -1
		for _, t := range out[v] {
			if lowest < 0 || layer[t]-1 < lowest {
				lowest = layer[t] - 1
			}
		}
		layer[v] = max(layer[v], lowest)
	}
	return layer
}

// orderLayers groups the vertices by layer and orders each layer to reduce
// crossings: barycenter sweeps down and up, keeping the best order seen.
func orderLayers(vs []vertex) [][]int {
	nl := 0
	for _, v := range vs {
		nl = max(nl, v.layer+1)
	}
	layers := make([][]int, nl)
	for i, v := range vs {
		layers[v.layer] = append(layers[v.layer], i)
	}
	setPos := func() {
		for _, l := range layers {
			for p, vi := range l {
				vs[vi].pos = p
			}
		}
	}
	setPos()
	total := func() int {
		c := 0
		for l := 0; l+1 < len(layers); l++ {
			c += countCrossings(vs, layers[l])
		}
		return c
	}
	best := total()
	bestOrder := cloneLayers(layers)
	for s := 0; s < sweeps && best > 0; s++ {
		if s%2 == 0 {
			for l := 1; l < len(layers); l++ {
				sortByBarycenter(vs, layers[l], func(v *vertex) []int { return v.in })
			}
		} else {
			for l := len(layers) - 2; l >= 0; l-- {
				sortByBarycenter(vs, layers[l], func(v *vertex) []int { return v.out })
			}
		}
		if c := total(); c < best {
			best, bestOrder = c, cloneLayers(layers)
		}
	}
	for i := range layers {
		layers[i] = bestOrder[i]
	}
	setPos()
	return layers
}

func cloneLayers(layers [][]int) [][]int {
	out := make([][]int, len(layers))
	for i, l := range layers {
		out[i] = slices.Clone(l)
	}
	return out
}

// sortByBarycenter orders layer by the mean position of each vertex's
// neighbours in the fixed adjacent layer; a vertex without neighbours
// keeps its place, and ties keep their order.
func sortByBarycenter(vs []vertex, layer []int, adj func(*vertex) []int) {
	type keyed struct {
		v    int
		bary float64
	}
	ks := make([]keyed, len(layer))
	for i, vi := range layer {
		ks[i] = keyed{vi, float64(vs[vi].pos)}
		if ns := adj(&vs[vi]); len(ns) > 0 {
			sum := 0.0
			for _, n := range ns {
				sum += float64(vs[n].pos)
			}
			ks[i].bary = sum / float64(len(ns))
		}
	}
	// Ties keep their order: compare the current positions next.
	slices.SortFunc(ks, func(a, b keyed) int {
		if c := cmp.Compare(a.bary, b.bary); c != 0 {
			return c
		}
		return cmp.Compare(vs[a.v].pos, vs[b.v].pos)
	})
	for p, k := range ks {
		layer[p] = k.v
		vs[k.v].pos = p
	}
}

// countCrossings counts the crossings of the edges from layer to the next:
// the inversions of the targets' positions when the edges are sorted by
// source, then target (a Fenwick tree, O(E log V)).
func countCrossings(vs []vertex, layer []int) int {
	type pair struct{ a, b int }
	var es []pair
	width := 0
	for _, vi := range layer {
		for _, t := range vs[vi].out {
			es = append(es, pair{vs[vi].pos, vs[t].pos})
			width = max(width, vs[t].pos+1)
		}
	}
	slices.SortFunc(es, func(x, y pair) int {
		if c := cmp.Compare(x.a, y.a); c != 0 {
			return c
		}
		return cmp.Compare(x.b, y.b)
	})
	tree := make([]int, width+1)
	crossings, seen := 0, 0
	for _, e := range es {
		// Edges seen so far whose target is right of e's cross it.
		le := 0
		for i := e.b + 1; i > 0; i -= i & -i {
			le += tree[i]
		}
		crossings += seen - le
		for i := e.b + 1; i <= width; i += i & -i {
			tree[i]++
		}
		seen++
	}
	return crossings
}

// placeRows gives every vertex its vertical centre: each layer is first
// stacked in order, then each vertex is pulled toward the mean of its
// neighbours (down, then up) without breaking the order or the gaps. It
// returns the height used.
func placeRows(vs []vertex, layers [][]int) float64 {
	step := BoxHeight + rowGap
	for _, l := range layers {
		for p, vi := range l {
			vs[vi].y = margin + BoxHeight/2 + float64(p)*step
		}
	}
	pull := func(l []int, adj func(*vertex) []int) {
		want := make([]float64, len(l))
		for p, vi := range l {
			want[p] = vs[vi].y
			if ns := adj(&vs[vi]); len(ns) > 0 {
				sum := 0.0
				for _, n := range ns {
					sum += vs[n].y
				}
				want[p] = sum / float64(len(ns))
			}
		}
		// Keep the order and the gaps: push down from the top, then pull
		// back up from the bottom, never above the top margin.
		top := margin + BoxHeight/2
		for p := range want {
			if p == 0 {
				want[p] = max(want[p], top)
				continue
			}
			want[p] = max(want[p], want[p-1]+step)
		}
		for p, vi := range l {
			vs[vi].y = want[p]
		}
	}
	for range 2 {
		for l := 1; l < len(layers); l++ {
			pull(layers[l], func(v *vertex) []int { return v.in })
		}
		for l := len(layers) - 2; l >= 0; l-- {
			pull(layers[l], func(v *vertex) []int { return v.out })
		}
	}
	// Shift everything up so the highest box touches the top margin.
	minY, maxY := 0.0, 0.0
	for i, v := range vs {
		if i == 0 || v.y < minY {
			minY = v.y
		}
		if i == 0 || v.y > maxY {
			maxY = v.y
		}
	}
	if len(vs) == 0 {
		return 0
	}
	shift := minY - (margin + BoxHeight/2)
	for i := range vs {
		vs[i].y -= shift
	}
	return maxY - minY + BoxHeight
}
