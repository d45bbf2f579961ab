package usage_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/meshc-dev/meshc/pkg/catalog"
	"github.com/meshc-dev/meshc/pkg/state/file"
	"github.com/meshc-dev/meshc/pkg/usage"
)

var today = time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)

// testMesh is two producers and two consumers: sales.orders publishes
// daily (its dataset derived from its location) and taxes (named by
// lineage, as the spec's examples name it); finance.revenue declares it
// reads daily and runs job airflow/revenue; marketing.campaigns declares
// daily too but never runs; ops.export reads taxes without declaring it.
func testMesh() *catalog.Mesh {
	m := catalog.NewMesh()
	team := func(d string) *catalog.Domain {
		return &catalog.Domain{Name: d, Team: catalog.Team{Name: d, GitHub: "@acme/" + d}}
	}
	m.Add(team("sales"), []*catalog.Product{{ID: "sales.orders", Name: "orders", Domain: "sales", Status: "active",
		OutputPorts: map[string]catalog.OutputPort{
			"daily": {Location: "bigquery://acme.sales.daily"},
			"taxes": {Location: "postgres://workshop-db/taxes", Lineage: []catalog.LineageID{
				{Namespace: "postgres://workshop-db:None", Name: "workshop.public.taxes"},
				{Namespace: "postgres://workshop-db:None", Name: "workshop.public.taxes-in"}}},
		}}})
	m.Add(team("finance"), []*catalog.Product{{ID: "finance.revenue", Name: "revenue", Domain: "finance", Status: "active",
		InputPorts:  map[string]catalog.InputPort{"d": {Product: "sales.orders", Port: "daily"}},
		Jobs:        []catalog.LineageID{{Namespace: "airflow", Name: "revenue"}},
		OutputPorts: map[string]catalog.OutputPort{"out": {Location: "bigquery://acme.finance.revenue"}}}})
	m.Add(team("marketing"), []*catalog.Product{{ID: "marketing.campaigns", Name: "campaigns", Domain: "marketing", Status: "active",
		InputPorts:  map[string]catalog.InputPort{"d": {Product: "sales.orders", Port: "daily"}},
		OutputPorts: map[string]catalog.OutputPort{"out": {Location: "bigquery://acme.marketing.campaigns"}}}})
	m.Add(team("ops"), []*catalog.Product{{ID: "ops.export", Name: "export", Domain: "ops", Status: "active",
		Jobs:        []catalog.LineageID{{Namespace: "workshop", Name: "process_taxes"}},
		OutputPorts: map[string]catalog.OutputPort{"out": {Location: "s3://acme-ops/export/"}}}})
	return m
}

func TestDatasetFromLocation(t *testing.T) {
	for loc, want := range map[string]string{
		"bigquery://acme.orders.orders":         "bigquery/acme.orders.orders",
		"kafka://orders.events.v1":              "kafka/orders.events.v1",
		"kafka://broker:9092/orders.events":     "kafka://broker:9092/orders.events",
		"s3://acme-legacy/customers/accounts/":  "s3://acme-legacy/customers/accounts",
		"postgres://db:5432/shop.public.orders": "postgres://db:5432/shop.public.orders",
		"https://api.acme.example/finance/v1/x": "https://api.acme.example/finance/v1/x",
		"not a url":                             "",
	} {
		id, ok := catalog.DatasetFromLocation(loc)
		got := ""
		if ok {
			got = id.String()
		}
		if got != want {
			t.Errorf("DatasetFromLocation(%q) = %q, want %q", loc, got, want)
		}
	}
}

func openStore(t *testing.T) (*file.Backend, *usage.Ingester) {
	t.Helper()
	b := file.New(filepath.Join(t.TempDir(), "catalog.json"))
	return b, &usage.Ingester{Store: b, Index: usage.NewIndex(testMesh()), Now: func() time.Time { return today }, RetentionDays: 400 * 10}
}

// TestSpecExamples ingests the OpenLineage documentation's own events: the
// START is skipped, the COMPLETE reads nothing (it has outputs only), and
// the facets example's COMPLETE counts for ops.export through its job, its
// SQL never stored.
func TestSpecExamples(t *testing.T) {
	b, in := openStore(t)
	for _, name := range []string{"spec-examples.ndjson", "spec-examples-complete.ndjson"} {
		f, err := os.Open(filepath.Join("testdata/openlineage", name))
		if err != nil {
			t.Fatal(err)
		}
		res, err := in.Ingest(context.Background(), f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]usage.Result{
			"spec-examples.ndjson":          {Events: 3, Skipped: 2, Unmatched: 1},
			"spec-examples-complete.ndjson": {Events: 1, Counted: 1, Added: 1},
		}[name]
		if res.Events != want.Events || res.Skipped != want.Skipped || res.Unmatched != want.Unmatched || res.Counted != want.Counted || res.Added != want.Added || res.Malformed != 0 {
			t.Errorf("%s: got %+v, want %+v", name, res, want)
		}
	}
	aggs, err := b.ReadUsage(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(aggs) != 1 || aggs[0].Consumer != "ops.export" || aggs[0].Port != "taxes" || aggs[0].Day != "2020-12-28" || aggs[0].Runs != 1 {
		t.Fatalf("aggregates = %+v", aggs)
	}
	side, _ := os.ReadFile(b.UsagePath())
	if bytes.Contains(side, []byte("insert into")) || bytes.Contains(side, []byte("secret_table")) {
		t.Errorf("the usage sidecar holds query text:\n%s", side)
	}
}

func TestMalformed(t *testing.T) {
	_, in := openStore(t)
	f, err := os.Open("testdata/openlineage/malformed.ndjson")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res, err := in.Ingest(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	if res.Events != 10 || res.Malformed != 9 || res.Counted != 1 {
		t.Errorf("got %+v, want 10 events, 9 malformed, 1 counted", res)
	}
	want := []string{
		"1: not JSON", "2: not JSON", "3: eventType \"DONE\"", "4: run.runId is missing",
		"5: job.namespace and job.name are required", "6: eventTime \"yesterday\" is not an RFC 3339",
		"7: not an OpenLineage RunEvent", "8: not an OpenLineage RunEvent", "9: not an OpenLineage RunEvent",
	}
	for i, p := range res.Problems {
		got := strings.TrimSpace(strings.Join([]string{itoa(p.Line), p.Reason}, ": "))
		if i >= len(want) || !strings.HasPrefix(got, want[i]) {
			t.Errorf("problem %d = %q, want prefix %q", i, got, want[min(i, len(want)-1)])
		}
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// TestIdempotentAndReport ingests generated events twice (counted once),
// then checks the report: the declared consumer active, the undeclared job
// a shadow, the declared consumer that never ran stale.
func TestIdempotentAndReport(t *testing.T) {
	b, in := openStore(t)
	var buf bytes.Buffer
	opts := usage.GenerateOptions{
		Datasets: []catalog.LineageID{{Namespace: "bigquery", Name: "acme.sales.daily"}},
		Jobs:     []catalog.LineageID{{Namespace: "airflow", Name: "revenue"}, {Namespace: "airflow", Name: "adhoc"}},
		End:      today.Add(-time.Hour), FailEvery: 5, StartEvery: 3,
	}
	if err := usage.Generate(&buf, 100, opts); err != nil {
		t.Fatal(err)
	}
	in.Batch = 7 // several writes
	for i, wantAdded := range []int{100, 0} {
		res, err := in.Ingest(context.Background(), bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		if res.Counted != 100 || res.Added != wantAdded || res.Skipped != 34 || res.UnknownJobs != 1 {
			t.Errorf("ingest %d: %+v, want 100 counted, %d added, 34 skipped, 1 unknown job", i, res, wantAdded)
		}
	}
	aggs, err := b.ReadUsage(context.Background(), "")
	if err != nil {
		t.Fatal(err)
	}
	var runs, failed int64
	for _, a := range aggs {
		runs += a.Runs
		failed += a.Failed
	}
	if runs != 100 || failed != 20 {
		t.Errorf("aggregates count %d runs, %d failed; want 100 and 20", runs, failed)
	}
	rep := usage.Report(testMesh(), aggs, usage.ReportOptions{Today: today, StaleDays: 30, Product: "sales.orders"})
	if got := usage.Shadows(rep); len(got) != 1 || got[0] != "sales.orders.daily <- job:airflow/adhoc" {
		t.Errorf("shadows = %v", got)
	}
	for _, pt := range rep.Products[0].Ports {
		switch pt.Port {
		case "daily":
			if pt.Active7 != 2 || pt.Unused {
				t.Errorf("daily: %+v", pt)
			}
			for _, c := range pt.Consumers {
				if c.Consumer == "marketing.campaigns" && !c.Stale {
					t.Errorf("marketing.campaigns never ran but is not stale: %+v", c)
				}
				if c.Consumer == "finance.revenue" && (c.Stale || c.Shadow || !c.Declared || c.Team != "@acme/finance") {
					t.Errorf("finance.revenue: %+v", c)
				}
			}
		case "taxes":
			if !pt.Unused {
				t.Errorf("taxes is read by no one but not unused: %+v", pt)
			}
		}
	}
}

// TestRetention drops days before the retention.
func TestRetention(t *testing.T) {
	b, in := openStore(t)
	in.RetentionDays = 2
	var buf bytes.Buffer
	usage.Generate(&buf, 3, usage.GenerateOptions{
		Datasets: []catalog.LineageID{{Namespace: "bigquery", Name: "acme.sales.daily"}},
		Jobs:     []catalog.LineageID{{Namespace: "airflow", Name: "revenue"}},
		End:      today,
	})
	old := `{"eventType":"COMPLETE","eventTime":"2026-11-01T00:00:00Z","run":{"runId":"old"},"job":{"namespace":"airflow","name":"revenue"},"inputs":[{"namespace":"bigquery","name":"acme.sales.daily"}]}` + "\n"
	res, err := in.Ingest(context.Background(), strings.NewReader(old+buf.String()))
	if err != nil {
		t.Fatal(err)
	}
	aggs, _ := b.ReadUsage(context.Background(), "")
	if res.Added != 3 || len(aggs) != 1 || aggs[0].Day != "2026-12-01" {
		t.Errorf("got %+v and %+v; want the old day dropped", res, aggs)
	}
}

// TestHandler posts the way OpenLineage's HTTP transport does: one
// pretty-printed event per request.
func TestHandler(t *testing.T) {
	b, in := openStore(t)
	srv := httptest.NewServer(usage.Mux(in))
	defer srv.Close()
	ev := `{
  "eventType": "COMPLETE",
  "eventTime": "2026-11-30T10:00:00Z",
  "run": {"runId": "h1"},
  "job": {"namespace": "airflow", "name": "revenue"},
  "inputs": [{"namespace": "bigquery", "name": "acme.sales.daily"}]
}`
	for i, tc := range []struct {
		method, body string
		status       int
	}{
		{"POST", ev, 200}, {"POST", ev, 200}, {"POST", "{bad", 400}, {"GET", "", 405},
		{"POST", strings.Repeat("x", usage.MaxBodyBytes+1), 413},
	} {
		req, _ := http.NewRequest(tc.method, srv.URL+usage.LineagePath, strings.NewReader(tc.body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.status {
			t.Errorf("request %d: status %d, want %d", i, resp.StatusCode, tc.status)
		}
	}
	aggs, _ := b.ReadUsage(context.Background(), "")
	if len(aggs) != 1 || aggs[0].Runs != 1 {
		t.Errorf("aggregates = %+v, want one run (posted twice)", aggs)
	}
}

// BenchmarkIngest ingests 1,000,000 generated events into the file
// backend and reports events per second and the heap in use after it.
// make bench-usage runs it; -benchtime=1x is one ingestion.
func BenchmarkIngest(b *testing.B) {
	const n = 1_000_000
	events := filepath.Join(b.TempDir(), "events.ndjson")
	buf, err := os.Create(events)
	if err != nil {
		b.Fatal(err)
	}
	var datasets, jobs []catalog.LineageID
	m := catalog.NewMesh()
	for i := range 200 {
		id := "d" + itoa(i%20) + ".p" + itoa(i)
		loc := "bigquery://acme.d" + itoa(i%20) + ".p" + itoa(i)
		m.Add(&catalog.Domain{Name: "d" + itoa(i%20)}, []*catalog.Product{{ID: id, Domain: "d" + itoa(i%20),
			OutputPorts: map[string]catalog.OutputPort{"main": {Location: loc}},
			Jobs:        []catalog.LineageID{{Namespace: "airflow", Name: id}}}})
		d, _ := catalog.DatasetFromLocation(loc)
		datasets = append(datasets, d)
		jobs = append(jobs, catalog.LineageID{Namespace: "airflow", Name: id})
	}
	jobs = append(jobs, catalog.LineageID{Namespace: "adhoc", Name: "notebook"})
	if err := usage.Generate(buf, n, usage.GenerateOptions{Datasets: datasets, Jobs: jobs[:201], End: today, FailEvery: 10}); err != nil {
		b.Fatal(err)
	}
	fi, _ := buf.Stat()
	buf.Close()
	b.SetBytes(fi.Size())
	runtime.GC()
	b.ResetTimer()
	for range b.N {
		store := file.New(filepath.Join(b.TempDir(), "catalog.json"))
		// 1,000,000 events a minute apart span 695 days: keep them all.
		in := &usage.Ingester{Store: store, Index: usage.NewIndex(m), Now: func() time.Time { return today }, RetentionDays: 1000}
		f, err := os.Open(events)
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		res, err := in.Ingest(context.Background(), f)
		f.Close()
		if err != nil || res.Added != n {
			b.Fatalf("%+v %v", res, err)
		}
		el := time.Since(start)
		b.ReportMetric(float64(n)/el.Seconds(), "events/s")
		side, _ := os.Stat(store.UsagePath())
		b.ReportMetric(float64(side.Size())/(1<<20), "sidecar-MiB")
	}
}
