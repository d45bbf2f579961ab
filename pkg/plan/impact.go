package plan

import (
	"slices"
	"strings"

	"github.com/meshc-dev/meshc/pkg/catalog"
)

// graph is who consumes what in the desired mesh.
type graph struct {
	desired   *Desired
	consumers map[string][]edge // producer id -> its consumers
}

type edge struct {
	consumer string // product id
	port     string // the producer's output port it reads
}

func newGraph(d *Desired) *graph {
	g := &graph{desired: d, consumers: map[string][]edge{}}
	for _, id := range catalog.SortedKeys(d.Products) {
		p := d.Products[id]
		for _, name := range catalog.SortedKeys(p.InputPorts) {
			in := p.InputPorts[name]
			g.consumers[in.Product] = append(g.consumers[in.Product], edge{consumer: id, port: in.Port})
		}
	}
	return g
}

// team returns the GitHub handle of the team that owns product id.
func (g *graph) team(id string) string {
	domain, _, _ := strings.Cut(id, ".")
	if d := g.desired.Domains[domain]; d != nil {
		return d.Team.GitHub
	}
	return ""
}

// direct returns the products that read any of ports of id (every port when
// ports is nil), sorted and without repeats.
func (g *graph) direct(id string, ports []string) []Impact {
	var out []Impact
	for _, e := range g.consumers[id] {
		if ports != nil && !slices.Contains(ports, e.port) {
			continue
		}
		if e.consumer == id {
			continue
		}
		out = append(out, Impact{Product: e.consumer, Team: g.team(e.consumer), Port: e.port})
	}
	slices.SortFunc(out, func(a, b Impact) int {
		return strings.Compare(a.Product+"\x00"+a.Port, b.Product+"\x00"+b.Port)
	})
	return slices.CompactFunc(out, func(a, b Impact) bool { return a.Product == b.Product })
}

// impacted returns every product that depends on the given ports of id:
// their direct consumers, then everything downstream of those, each once,
// with its team and the product it depends through.
func (g *graph) impacted(id string, ports []string) []Impact {
	if len(ports) == 0 {
		return nil
	}
	out, _ := g.downstream(id, g.direct(id, ports), 0)
	return out
}

// downstream returns direct, the direct consumers of id, followed by every
// product downstream of them, each once, with the product it depends
// through: direct consumers first, then downstream ones, each part sorted.
// With limit > 0 it stops after that many downstream products and reports
// that it left some out.
func (g *graph) downstream(id string, direct []Impact, limit int) ([]Impact, bool) {
	out := direct
	seen := map[string]bool{id: true}
	queue := make([]string, 0, len(out))
	for _, im := range out {
		seen[im.Product] = true
		queue = append(queue, im.Product)
	}
	found, more := 0, false
	for len(queue) > 0 && !more {
		via := queue[0]
		queue = queue[1:]
		for _, im := range g.direct(via, nil) {
			if seen[im.Product] {
				continue
			}
			if limit > 0 && found == limit {
				more = true
				break
			}
			seen[im.Product] = true
			found++
			out = append(out, Impact{Product: im.Product, Team: im.Team, Via: via})
			queue = append(queue, im.Product)
		}
	}
	slices.SortStableFunc(out, func(a, b Impact) int {
		// Direct consumers first, then downstream ones.
		if (a.Via == "") != (b.Via == "") {
			if a.Via == "" {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Product, b.Product)
	})
	return out, more
}

// Consumers answers who reads each product of a mesh, directly or
// downstream: the impact a plan reports for a breaking change, for every
// product at once.
type Consumers struct{ g *graph }

// NewConsumers indexes the consumers of m's products.
func NewConsumers(m *catalog.Mesh) *Consumers {
	return &Consumers{g: newGraph(&Desired{Domains: m.Domains, Products: m.Products})}
}

// Of returns the consumers of product id: the direct ones (with the port
// each reads), then the downstream ones (with the product each depends
// through). With limit > 0 it returns at most that many downstream ones
// and reports whether there were more.
func (c *Consumers) Of(id string, limit int) (consumers []Impact, more bool) {
	return c.g.downstream(id, c.g.direct(id, nil), limit)
}

// Teams returns the distinct teams of impacts, sorted.
func Teams(impacts []Impact) []string {
	var teams []string
	for _, im := range impacts {
		if im.Team != "" && !slices.Contains(teams, im.Team) {
			teams = append(teams, im.Team)
		}
	}
	slices.Sort(teams)
	return teams
}
