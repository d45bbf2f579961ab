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
	out := g.direct(id, ports)
	seen := map[string]bool{id: true}
	queue := make([]string, 0, len(out))
	for _, im := range out {
		seen[im.Product] = true
		queue = append(queue, im.Product)
	}
	for len(queue) > 0 {
		via := queue[0]
		queue = queue[1:]
		for _, im := range g.direct(via, nil) {
			if seen[im.Product] {
				continue
			}
			seen[im.Product] = true
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
	return out
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
