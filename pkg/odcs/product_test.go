package odcs

import (
	"os"
	"testing"
)

// TestOneProduct: --product puts several contracts into one product, their
// schema objects side by side as ports, and the CUE validates.
func TestOneProduct(t *testing.T) {
	var inputs []Input
	for _, name := range []string{"table-column.odcs.yaml", "kafka-server.odcs.yaml", "all-schema-types.odcs.yaml"} {
		b, err := os.ReadFile("testdata/examples/" + name)
		if err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, Input{Name: name, Data: b})
	}
	res, err := Import(inputs, Options{Domain: "sales", Product: "everything"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Products) != 1 {
		t.Fatalf("%d products, want 1", len(res.Products))
	}
	p := res.Products[0]
	// tbl (table-column), orders (kafka), then all-schema-types' tbl again
	// (tbl_2), an_object and another_object.
	for _, port := range []string{"tbl", "orders", "tbl_2", "an_object", "another_object"} {
		if _, ok := p.OutputPorts[port]; !ok {
			t.Errorf("no port %s; have %v", port, len(p.OutputPorts))
		}
	}
	if len(p.OutputPorts) != 5 {
		t.Errorf("%d ports, want 5", len(p.OutputPorts))
	}
	m := writeMesh(t, map[string]map[string][]byte{"sales": res.Files})
	if m.Products["sales.everything"] == nil {
		t.Error("the product is not in the CUE")
	}
}
