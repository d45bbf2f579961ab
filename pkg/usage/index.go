package usage

import (
	"github.com/meshc-dev/meshc/pkg/catalog"
	"github.com/meshc-dev/meshc/pkg/state"
)

// Port names one output port.
type Port struct{ Product, Port string }

// Index resolves OpenLineage identities against a mesh: datasets to the
// output ports that publish them, jobs to the products that read with them.
type Index struct {
	datasets map[catalog.LineageID]Port
	jobs     map[catalog.LineageID]string
}

// NewIndex indexes m. A dataset two ports claim (the lineage rule reports
// it) resolves to the first in product id order.
func NewIndex(m *catalog.Mesh) *Index {
	idx := &Index{datasets: map[catalog.LineageID]Port{}, jobs: map[catalog.LineageID]string{}}
	for _, id := range m.ProductIDs() {
		p := m.Products[id]
		for _, name := range catalog.SortedKeys(p.OutputPorts) {
			for _, d := range p.OutputPorts[name].Datasets() {
				if _, ok := idx.datasets[d]; !ok {
					idx.datasets[d] = Port{id, name}
				}
			}
		}
		for _, j := range p.Jobs {
			if _, ok := idx.jobs[j]; !ok {
				idx.jobs[j] = id
			}
		}
	}
	return idx
}

// Consumer names the consumer of a job: the product that claims it, or
// "job:NAMESPACE/NAME".
func (idx *Index) Consumer(job catalog.LineageID) (string, bool) {
	if p, ok := idx.jobs[job]; ok {
		return p, true
	}
	return "job:" + job.String(), false
}

// resolve turns a decoded event into a usage event; false when it is not
// counted (another type, a bad time, no known input).
func (idx *Index) resolve(ev *RunEvent, line int, res *Result, unknownJobs map[catalog.LineageID]bool) (state.UsageEvent, bool) {
	if ev.EventType != Complete && ev.EventType != Fail {
		res.Skipped++
		return state.UsageEvent{}, false
	}
	t, err := eventTime(ev.EventTime)
	if err != nil {
		res.malformed(line, "%v", err)
		return state.UsageEvent{}, false
	}
	consumer, known := idx.Consumer(ev.Job)
	e := state.UsageEvent{Key: key(ev, t), Time: t, Failed: ev.EventType == Fail}
	inputs := ev.Inputs
	if len(inputs) > maxInputs {
		inputs = inputs[:maxInputs]
	}
	for _, in := range inputs {
		port, ok := idx.datasets[in]
		if !ok {
			continue
		}
		r := state.UsageRead{Product: port.Product, Port: port.Port, Consumer: consumer}
		dup := false
		for _, have := range e.Reads {
			dup = dup || have == r
		}
		if !dup {
			e.Reads = append(e.Reads, r)
		}
	}
	if len(e.Reads) == 0 {
		res.Unmatched++
		return state.UsageEvent{}, false
	}
	if !known {
		unknownJobs[ev.Job] = true
	}
	res.Counted++
	return e, true
}
