package export

import (
	"testing"

	"github.com/meshc-dev/meshc/pkg/catalog"
)

// TestServerFor maps each location scheme meshc knows to ODCS's typed
// server and back; what does not map exactly is a custom server.
func TestServerFor(t *testing.T) {
	for _, tc := range []struct {
		portType, location, format string
		typ, physical              string
	}{
		{"table", "bigquery://acme.orders.orders", "", "bigquery", "orders"},
		{"table", "bigquery://acme.orders", "", "bigquery", ""},
		{"table", "bigquery://acme.orders.orders", "parquet", "bigquery", "orders"}, // format in a custom property
		{"topic", "kafka://orders.events.v1", "avro", "kafka", ""},
		{"topic", "kafka://broker:9092/orders.v1", "", "kafka", "orders.v1"},
		{"file", "s3://bucket/path/", "csv", "s3", ""},
		{"table", "postgres://db.acme:5432/shop/public/orders", "", "postgres", "orders"},
		{"table", "snowflake://acme/analytics/marts/revenue", "", "snowflake", "revenue"},
		{"api", "https://api.acme.example/v1/orders", "", "api", ""},
		{"file", "file:///data/orders.parquet", "parquet", "local", ""},
		// Not exact, or no ODCS type: custom, with the location as is.
		{"table", "bigquery://a.b.c.d", "", "custom", ""},
		{"table", "postgres://user@db:5432/shop/public", "", "custom", ""},
		{"table", "postgresql://db:5432/shop/public", "", "custom", ""},
		{"view", "https://dash.acme.example/x", "", "custom", ""},
		{"table", "kafka://b/x?y=1", "", "custom", ""},
		{"table", "delta://lake/orders", "", "custom", ""},
		{"file", "file:///data/orders", "", "custom", ""},
	} {
		s, physical := ServerFor("p", tc.portType, tc.location, tc.format)
		if s.Type != tc.typ || physical != tc.physical {
			t.Errorf("ServerFor(%s) = %s %q, want %s %q", tc.location, s.Type, physical, tc.typ, tc.physical)
		}
		if back, ok := LocationOf(s, physical); !ok || back != tc.location {
			t.Errorf("LocationOf(ServerFor(%s)) = %q, %v", tc.location, back, ok)
		}
		if s.Format != "" && s.Format != tc.format {
			t.Errorf("%s: format %q, want %q", tc.location, s.Format, tc.format)
		}
	}
}

func TestSplitDuration(t *testing.T) {
	for in, want := range map[string]struct {
		n    int
		unit string
		ok   bool
	}{"15m": {15, "m", true}, "500ms": {500, "ms", true}, "30d": {30, "d", true}, "m": {0, "", false}, "": {0, "", false}} {
		n, unit, ok := SplitDuration(in)
		if n != want.n || unit != want.unit || ok != want.ok {
			t.Errorf("SplitDuration(%q) = %d %q %v", in, n, unit, ok)
		}
	}
}

// TestContractNesting: arrays of objects and arrays of arrays keep their
// items, and every meshc field flag has its place.
func TestContractNesting(t *testing.T) {
	avail := 99.0
	m := catalog.NewMesh()
	m.Add(&catalog.Domain{Name: "d", Title: "Dom", Description: "A domain.", Team: catalog.Team{Name: "Team", GitHub: "@t"}}, []*catalog.Product{{
		ID: "d.p", Name: "p", Domain: "d", Title: "P", Description: "A product.", Version: "1.0.0", Status: "active",
		Classification: "internal", SLO: &catalog.SLO{Availability: &avail, Latency: "500ms"},
		OutputPorts: map[string]catalog.OutputPort{"o": {
			Description: "Port.", Type: "table", Location: "s3://b/o", Access: catalog.Access{Visibility: "public"},
			Schema: map[string]catalog.Field{"grid": {Type: "array", Description: "Rows.", Items: &catalog.Field{
				Type: "array", Description: "A row.", Items: &catalog.Field{Type: "object", Description: "A cell.", Fields: map[string]catalog.Field{
					"v": {Type: "number", Description: "Value.", PII: true, RenamedFrom: "value", Classification: "restricted"},
				}},
			}}},
		}},
	}})
	c := ContractOf(m, m.Products["d.p"], "o")
	cell := c.Schema[0].Properties[0].Items.Items
	if cell == nil || len(cell.Properties) != 1 || cell.Properties[0].Name != "v" {
		t.Fatalf("nested items lost: %+v", c.Schema[0].Properties[0])
	}
	v := cell.Properties[0]
	if v.Classification != "restricted" || len(v.CustomProperties) != 2 {
		t.Errorf("field flags lost: %+v", v)
	}
	if len(c.SLAProperties) != 2 || c.SLAProperties[1].Property != "latency" || c.SLAProperties[1].Unit != "ms" {
		t.Errorf("SLA properties: %+v", c.SLAProperties)
	}
	res, err := odcsFormat.Run(m, Options{})
	if err != nil {
		t.Fatal(err)
	}
	LoadSchemas(t, "testdata/schemas").Validate(t, "odcs", res.Files)
}
