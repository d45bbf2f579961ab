package usage

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/meshc-dev/meshc/pkg/catalog"
)

// GenerateOptions shapes generated events.
type GenerateOptions struct {
	// Datasets are read by the events, round robin; Jobs run them.
	Datasets, Jobs []catalog.LineageID
	// End is the last event's time; events go back one minute each.
	End time.Time
	// FailEvery makes every n-th event a FAIL (0: none); StartEvery
	// interleaves a START before every n-th (0: none).
	FailEvery, StartEvery int
}

// Generate writes n OpenLineage run events as NDJSON in the spec's shape
// (with a facet carrying a query, which meshc must not keep), for tests and
// the benchmark. Each event has its own run.
func Generate(w io.Writer, n int, o GenerateOptions) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	for i := range n {
		t := o.End.Add(-time.Duration(n-1-i) * time.Minute).UTC().Format(time.RFC3339Nano)
		// Job k always reads dataset k (modulo their counts), as a
		// scheduled job does.
		k := i % len(o.Jobs)
		job, ds := o.Jobs[k], o.Datasets[k%len(o.Datasets)]
		typ := Complete
		if o.FailEvery > 0 && i%o.FailEvery == o.FailEvery-1 {
			typ = Fail
		}
		run := "00000000-0000-4000-8000-" + fmt.Sprintf("%012d", i)
		if o.StartEvery > 0 && i%o.StartEvery == 0 {
			writeEvent(bw, "START", t, run, job, ds)
		}
		writeEvent(bw, typ, t, run, job, ds)
	}
	return bw.Flush()
}

func writeEvent(w *bufio.Writer, typ, t, run string, job, ds catalog.LineageID) {
	w.WriteString(`{"eventType":"` + typ + `","eventTime":"` + t + `","run":{"runId":"` + run + `"},"job":{"namespace":`)
	w.WriteString(strconv.Quote(job.Namespace) + `,"name":` + strconv.Quote(job.Name))
	w.WriteString(`,"facets":{"sql":{"query":"select * from secret_table where x = 1"}}},"inputs":[{"namespace":`)
	w.WriteString(strconv.Quote(ds.Namespace) + `,"name":` + strconv.Quote(ds.Name) + `}],"outputs":[],`)
	w.WriteString(`"producer":"https://github.com/meshc-dev/meshc/pkg/usage","schemaURL":"https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"}` + "\n")
}
