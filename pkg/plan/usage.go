package plan

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/meshc-dev/meshc/pkg/catalog"
	"github.com/meshc-dev/meshc/pkg/diag"
	"github.com/meshc-dev/meshc/pkg/rule"
	"github.com/meshc-dev/meshc/pkg/state"
)

// ObservedDays is how far back observed usage counts in a plan's impact.
const ObservedDays = 30

// observedRead is one consumer seen reading a port.
type observedRead struct {
	consumer string
	lastSeen time.Time
	runs     int64
}

// observed indexes usage aggregates of the last ObservedDays by product
// and port.
type observed map[string]map[string][]observedRead

func newObserved(aggs []state.UsageAggregate, today time.Time) observed {
	from := today.UTC().AddDate(0, 0, -(ObservedDays - 1)).Format(time.DateOnly)
	type k struct{ product, port, consumer string }
	sum := map[k]*observedRead{}
	for _, a := range aggs {
		if a.Day < from {
			continue
		}
		key := k{a.Product, a.Port, a.Consumer}
		r := sum[key]
		if r == nil {
			r = &observedRead{consumer: a.Consumer}
			sum[key] = r
		}
		r.runs += a.Runs
		if a.LastSeen.After(r.lastSeen) {
			r.lastSeen = a.LastSeen
		}
	}
	o := observed{}
	for key, r := range sum {
		if o[key.product] == nil {
			o[key.product] = map[string][]observedRead{}
		}
		o[key.product][key.port] = append(o[key.product][key.port], *r)
	}
	for _, ports := range o {
		for _, rs := range ports {
			slices.SortFunc(rs, func(a, b observedRead) int { return strings.Compare(a.consumer, b.consumer) })
		}
	}
	return o
}

// addObserved appends to impacts the consumers observed reading ports of
// id that declare no input port on them, marked Observed, with their team
// when the job maps to a product.
func (g *graph) addObserved(impacts []Impact, obs observed, id string, ports []string) []Impact {
	for _, port := range ports {
		for _, r := range obs[id][port] {
			if r.consumer == id || slices.ContainsFunc(impacts, func(im Impact) bool { return im.Product == r.consumer && im.Via == "" }) {
				continue
			}
			im := Impact{Product: r.consumer, Port: port, Observed: true, LastSeen: r.lastSeen.Format(time.DateOnly)}
			if !strings.HasPrefix(r.consumer, "job:") {
				im.Team = g.team(r.consumer)
			}
			impacts = append(impacts, im)
		}
	}
	return impacts
}

var _ = registerPlan(rule.Rule{
	ID: "usage-still-read", Code: "usage-still-read", Stage: rule.Plan,
	Purpose: "removing or retiring a port that is still being read warns with who read it and when",
	Explanation: `Observed usage (meshc usage ingest) shows who really reads a port, declared
or not. Removing an output port, removing its product or retiring the
product while someone read the port in the last 30 days warns, naming each
reader and when it was last seen:

  previous: outputPorts: events: {...}
  current:  (no port events)

  domains/sales/orders.cue:9:3: usage-still-read: output port "events" of sales.orders is removed, but it was read in the last 30 days by finance.revenue (@acme/finance, last seen 2026-11-30), job:airflow/adhoc_export (last seen 2026-11-29)

Tell the readers before the port goes (a shadow consumer has declared no
input port: find its team from the job's name), or keep the port until they
have moved. The warning blocks nothing.`,
}, stillRead)

// stillRead warns when a removed or retired port was read recently.
func stillRead(x *changeContext) diag.Diagnostics {
	if x.before == nil || len(x.o.observed) == 0 {
		return nil
	}
	var ports []string
	what := ""
	switch {
	case x.after == nil:
		ports, what = catalog.SortedKeys(x.before.OutputPorts), "its product is removed"
	case x.after.Status == catalog.StatusRetired && x.before.Status != catalog.StatusRetired:
		ports, what = catalog.SortedKeys(x.before.OutputPorts), "its product is retired"
	default:
		for _, name := range catalog.SortedKeys(x.before.OutputPorts) {
			if _, ok := x.after.OutputPorts[name]; !ok {
				ports = append(ports, name)
			}
		}
		what = "it is removed"
	}
	var ds diag.Diagnostics
	for _, port := range ports {
		rs := x.o.observed[x.c.Product][port]
		var names []string
		for _, r := range rs {
			if r.consumer == x.c.Product {
				continue
			}
			s := r.consumer + " ("
			if t := x.g.team(r.consumer); t != "" && !strings.HasPrefix(r.consumer, "job:") {
				s += t + ", "
			}
			names = append(names, s+"last seen "+r.lastSeen.Format(time.DateOnly)+")")
		}
		if len(names) == 0 {
			continue
		}
		d := diag.Warningf("usage-still-read", "output port %q of %s: %s, but it was read in the last %d days by %s",
			port, x.c.Product, what, ObservedDays, strings.Join(names, ", "))
		d.Rule = "usage-still-read"
		path := "outputPorts." + port
		if x.after == nil || what == "its product is retired" {
			path = "status"
		}
		ds = append(ds, at(x.desired, d, x.c.Domain, x.c.Product, path))
	}
	return ds
}

// observedNote is how a consumer list names an observed-only consumer.
func observedNote(im Impact) string {
	return fmt.Sprintf("observed, last seen %s", im.LastSeen)
}
