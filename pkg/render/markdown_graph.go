package render

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// graph writes a Mermaid flowchart from each changed product to its
// consumers, the changed products styled by action.
func (r *report) graph(w *writer) {
	changes := r.pending(false)
	if len(changes) == 0 {
		return
	}
	class := map[string]string{}
	nodes := map[string]bool{}
	edges := map[[2]string]bool{}
	for _, c := range changes {
		nodes[c.Product] = true
		class[c.Product] = c.Action
		if len(c.Breaking) > 0 {
			class[c.Product] = "breaking"
		}
		for _, im := range c.Impacted {
			from := cmp.Or(im.Via, c.Product)
			nodes[from], nodes[im.Product] = true, true
			edges[[2]string{from, im.Product}] = true
		}
	}
	if len(edges) > maxGraphEdges {
		w.line(fmt.Sprintf("_The lineage graph is left out: %s is more than GitHub draws._", plural(len(edges), "edge")))
		w.line("")
		return
	}
	ids := map[string]string{}
	used := map[string]bool{}
	var g strings.Builder
	g.WriteString("```mermaid\nflowchart LR\n")
	for _, n := range slices.Sorted(maps.Keys(nodes)) {
		id := mermaidID(n)
		for i := 2; used[id]; i++ {
			id = fmt.Sprintf("%s_%d", mermaidID(n), i)
		}
		used[id], ids[n] = true, id
		g.WriteString("  " + id + `["` + mermaidLabel(n) + `"]`)
		if c := class[n]; c != "" {
			g.WriteString(":::" + c)
		}
		g.WriteString("\n")
	}
	for _, e := range slices.SortedFunc(maps.Keys(edges), func(a, b [2]string) int {
		return cmp.Or(strings.Compare(a[0], b[0]), strings.Compare(a[1], b[1]))
	}) {
		g.WriteString("  " + ids[e[0]] + " --> " + ids[e[1]] + "\n")
	}
	g.WriteString("  classDef create fill:#dafbe1,stroke:#1a7f37\n")
	g.WriteString("  classDef update fill:#ddf4ff,stroke:#0969da\n")
	g.WriteString("  classDef delete fill:#ffebe9,stroke:#cf222e,stroke-dasharray:4\n")
	g.WriteString("  classDef breaking fill:#fff1e5,stroke:#bc4c00,stroke-width:3px\n")
	g.WriteString("```\n")
	if g.Len() > maxGraphBytes {
		w.line("_The lineage graph is left out: it is larger than GitHub draws._")
		w.line("")
		return
	}
	w.line("### Lineage")
	w.line("")
	w.write(g.String())
	w.line("")
}

// mermaidID is the node id of a product, the same as meshc graph's.
func mermaidID(product string) string { return nodeID(product) }

// mermaidLabel escapes a quoted node label with Mermaid's #name; entities.
func mermaidLabel(s string) string {
	return strings.NewReplacer(`"`, "#quot;", "<", "#lt;", ">", "#gt;", "&", "#amp;", "`", "#96;", "|", "#124;", "\n", " ", "\r", " ").Replace(s)
}

// writer builds a report of at most limit bytes. Uncapped, it writes
// everything and the caller checks the size; capped, fit writes only what
// leaves reserve bytes free and stays within the current section's bound.
type writer struct {
	b        strings.Builder
	limit    int
	capped   bool
	reserve  int
	bound    int // where the current section must end; 0 for none
	overflow bool
}
