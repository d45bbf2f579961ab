package check

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/meshc-dev/meshc/pkg/catalog"
	"github.com/meshc-dev/meshc/pkg/diag"
	"github.com/meshc-dev/meshc/pkg/rule"
)

var _ = register(rule.Rule{
	ID: "cycle", Code: "cycle", Stage: rule.Mesh,
	Purpose: "products do not consume each other in a cycle (the whole cycle is named)",
	Explanation: `Products that consume each other, directly or through others, can never be
built in order: each waits for the other. The cycle is reported once, at the
input port of its first product, naming every product on it:

  // domains/customers/customers.cue
  products: customer_profiles: inputPorts: orders: {product: "orders.order_events", port: "events"}
  // domains/orders/orders.cue
  products: order_events: inputPorts: checkout: {product: "customers.customer_profiles", port: "profiles"}

  domains/customers/customers.cue:3:42: cycle: products consume each other in a cycle: customers.customer_profiles → orders.order_events → customers.customer_profiles; break it by removing one of these inputs

Fix it by removing one input port of the cycle, or by splitting a product in
two so that one half no longer needs the other.`,
}, cycles)

// cycles reports every set of products that consume each other, naming the
// whole cycle once, at the input port of its first product.
func cycles(m *Mesh) diag.Diagnostics {
	graph := map[string][]string{}
	for _, e := range m.edges() {
		if e.producer != nil {
			graph[e.consumer.ID] = append(graph[e.consumer.ID], e.producer.ID)
		}
	}
	var ds diag.Diagnostics
	for _, scc := range Cyclic(m.ProductIDs(), func(id string) []string { return graph[id] }) {
		cycle := findCycle(scc, graph)
		if cycle == nil {
			continue
		}
		first := m.Products[cycle[0]]
		input := ""
		for _, name := range catalog.SortedKeys(first.InputPorts) {
			if first.InputPorts[name].Product == cycle[1%len(cycle)] {
				input = name
				break
			}
		}
		ds = append(ds, m.at(diag.Errorf("cycle",
			"products consume each other in a cycle: %s → %s; break it by removing one of these inputs",
			strings.Join(cycle, " → "), cycle[0]), first, "inputPorts", input))
	}
	return ds
}

// Cyclic returns the strongly connected components of the graph next
// draws over nodes that hold a cycle, each sorted, sorted by their first
// node (Tarjan's algorithm, iterative: a chain of thousands of products
// must not exhaust the stack).
func Cyclic(nodes []string, next func(string) []string) [][]string {
	index, low := map[string]int{}, map[string]int{}
	onStack := map[string]bool{}
	var stack []string
	var out [][]string
	type frame struct {
		v     string
		edges []string
		i     int
	}
	for _, root := range nodes {
		if _, seen := index[root]; seen {
			continue
		}
		index[root], low[root] = len(index), len(index)
		stack, onStack[root] = append(stack, root), true
		call := []frame{{v: root, edges: next(root)}}
		for len(call) > 0 {
			f := &call[len(call)-1]
			if f.i < len(f.edges) {
				w := f.edges[f.i]
				f.i++
				if _, seen := index[w]; !seen {
					index[w], low[w] = len(index), len(index)
					stack, onStack[w] = append(stack, w), true
					call = append(call, frame{v: w, edges: next(w)})
				} else if onStack[w] {
					low[f.v] = min(low[f.v], index[w])
				}
				continue
			}
			v := f.v
			call = call[:len(call)-1]
			if len(call) > 0 {
				parent := call[len(call)-1].v
				low[parent] = min(low[parent], low[v])
			}
			if low[v] != index[v] {
				continue
			}
			var scc []string
			for {
				w := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				onStack[w] = false
				scc = append(scc, w)
				if w == v {
					break
				}
			}
			if len(scc) > 1 || slices.Contains(next(v), v) {
				slices.Sort(scc)
				out = append(out, scc)
			}
		}
	}
	slices.SortFunc(out, func(a, b []string) int { return strings.Compare(a[0], b[0]) })
	return out
}

// findCycle returns a cycle through the first node of scc, as the path of
// nodes before it closes (the shortest, by breadth-first search).
func findCycle(scc []string, graph map[string][]string) []string {
	in := map[string]bool{}
	for _, n := range scc {
		in[n] = true
	}
	start := scc[0]
	prev := map[string]string{}
	queue := []string{start}
	for len(queue) > 0 {
		v := queue[0]
		queue = queue[1:]
		for _, w := range sortedUnique(graph[v]) {
			if !in[w] {
				continue
			}
			if w == start {
				path := []string{v}
				for path[0] != start {
					path = append([]string{prev[path[0]]}, path...)
				}
				return path
			}
			if _, seen := prev[w]; !seen {
				prev[w] = v
				queue = append(queue, w)
			}
		}
	}
	return nil
}

func sortedUnique(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return slices.Compact(s)
}

var _ = register(rule.Rule{
	ID: "ownership", Code: "ownership", Stage: rule.Mesh,
	Purpose: "a domain declares only its own name and products, and no two domains share a source",
	Explanation: `meshc sets each domain's name and each product's name and id from mesh.cue,
so a domain's files can publish only that domain's products. A file that
claims another name is an error at that field, and so are two domains of
mesh.cue reading the same directory (each would publish the other's
products):

  // domains/orders/claim.cue
  products: order_events: id: "customers.order_events"

  domains/orders/claim.cue:3:29: ownership: products.order_events.id: conflicting values "orders.order_events" and "customers.order_events": meshc sets names and ids from mesh.cue, and domain orders may declare only itself and its own products; remove the field

Fix it by removing the name or id (meshc fills it in), by moving the product
to its own domain's repository, or by giving each domain its own path in
mesh.cue.`,
}, ownership)

// ownership reports domains that share a source directory: each would
// publish the other's products.
func ownership(m *Mesh) diag.Diagnostics {
	bySource := map[string][]string{}
	for _, name := range m.DomainNames() {
		src := m.Domains[name].Source
		// A source is a repository and a path in it, at any ref.
		key := src.Git + "\x00" + path.Clean("/"+src.Path)
		bySource[key] = append(bySource[key], name)
	}
	var ds diag.Diagnostics
	for _, names := range bySource {
		if len(names) < 2 {
			continue
		}
		for _, n := range names[1:] {
			d := diag.Errorf("ownership", "domains %s and %s read the same source (%s): each domain needs its own directory",
				names[0], n, sourceString(m.Domains[n].Source))
			d.Domain = n
			ds = append(ds, d.At(m.Locate(n, "domain")))
		}
	}
	return ds
}

func sourceString(s catalog.Source) string {
	if s.Git != "" {
		return fmt.Sprintf("%s@%s:%s", s.Git, s.Ref, s.Path)
	}
	return s.Path
}

var _ = register(rule.Rule{
	ID: "duplicate", Code: "duplicate", Stage: rule.Mesh,
	Purpose: "no two output ports publish to the same location",
	Explanation: `An output port's location (a table, topic, path or URL) has one owner:
two ports writing to it would overwrite each other's data and consumers
could not tell whose it is. The owner is the port that publishes there in
the live catalog; every other port claiming the location is the newcomer,
reported at its location in its own domain's file (with no live owner, the
first port in product id order owns it):

  // domain orders, live:
  products: order_events: outputPorts: events: location: "kafka://orders.events.v1"
  // domain customers, new:
  products: customer_profiles: outputPorts: copy: location: "kafka://orders.events.v1"

  domains/customers/more.cue:6:2: duplicate: output port "copy" publishes to kafka://orders.events.v1, which port "events" of orders.order_events publishes to already: each location has one owner

Fix it by giving the new port its own location; to share data, consume
the other product's port through an input port instead.`,
}, duplicates)

// duplicates reports output ports that publish to the same location, each
// at the port that newly claims it.
func duplicates(m *Mesh) diag.Diagnostics {
	type claim struct {
		p    *catalog.Product
		port string
	}
	claims := map[string][]claim{}
	var locs []string
	for _, id := range m.ProductIDs() {
		p := m.Products[id]
		for _, name := range catalog.SortedKeys(p.OutputPorts) {
			loc := p.OutputPorts[name].Location
			if claims[loc] == nil {
				locs = append(locs, loc)
			}
			claims[loc] = append(claims[loc], claim{p, name})
		}
	}
	var ds diag.Diagnostics
	for _, loc := range locs {
		cs := claims[loc]
		if len(cs) < 2 {
			continue
		}
		// The owner is the first claim the live catalog has already, else
		// the first in product id order.
		owner := 0
		for i, c := range cs {
			if live := m.Live[c.p.ID]; live != nil && live.OutputPorts[c.port].Location == loc {
				owner = i
				break
			}
		}
		first := cs[owner]
		for i, c := range cs {
			if i == owner {
				continue
			}
			ds = append(ds, m.at(diag.Errorf("duplicate",
				"output port %q publishes to %s, which port %q of %s publishes to already: each location has one owner",
				c.port, loc, first.port, first.p.ID), c.p, "outputPorts", c.port, "location"))
		}
	}
	return ds
}

var _ = register(rule.Rule{
	ID: "lineage", Code: "lineage", Stage: rule.Mesh,
	Purpose: "each OpenLineage dataset identity belongs to exactly one output port",
	Explanation: `Observed usage is counted per port: an OpenLineage event's input dataset is
resolved to the one output port that publishes it, declared by the port's
lineage (or derived from its location). Two ports naming the same dataset
would make the usage of either unknowable. The second port, in product id
order, is reported at its lineage:

  products: order_events: outputPorts: events: lineage: [{namespace: "kafka", name: "orders.events.v1"}]
  // and in domain customers:
  products: customer_profiles: outputPorts: copy: lineage: [{namespace: "kafka", name: "orders.events.v1"}]

  domains/orders/orders.cue:21:3: lineage: output port "events" publishes OpenLineage dataset kafka/orders.events.v1, which port "copy" of customers.customer_profiles publishes already: each dataset belongs to one port

Fix it by naming the dataset the port really publishes in its lineage list,
or by removing the copy and consuming the other product's port instead.`,
}, lineageDuplicates)

// lineageDuplicates reports output ports that publish the same OpenLineage
// dataset identity.
func lineageDuplicates(m *Mesh) diag.Diagnostics {
	type owner struct {
		p    *catalog.Product
		port string
	}
	seen := map[catalog.LineageID]owner{}
	var ds diag.Diagnostics
	for _, id := range m.ProductIDs() {
		p := m.Products[id]
		for _, name := range catalog.SortedKeys(p.OutputPorts) {
			port := p.OutputPorts[name]
			for _, ds1 := range port.Datasets() {
				first, ok := seen[ds1]
				if !ok {
					seen[ds1] = owner{p, name}
					continue
				}
				if first.p == p && first.port == name {
					continue // listed twice in one port
				}
				if len(port.Lineage) == 0 && port.Location == first.p.OutputPorts[first.port].Location {
					continue // the same location: the duplicate rule says so
				}
				path := []string{"outputPorts", name, "lineage"}
				if len(port.Lineage) == 0 {
					path[2] = "location"
				}
				ds = append(ds, m.at(diag.Errorf("lineage",
					"output port %q publishes OpenLineage dataset %s, which port %q of %s publishes already: each dataset belongs to one port",
					name, ds1, first.port, first.p.ID), p, path...))
			}
		}
	}
	return ds
}
