package export

import (
	"strings"
	"testing"
)

// TestODPSOutsideInput: an input port reading a product outside the
// exported mesh still validates (ODPS requires a version), and the loss
// report says the version is made up.
func TestODPSOutsideInput(t *testing.T) {
	m := longMesh()
	delete(m.Products, "src."+strings.Repeat("a", 30)+"__"+strings.Repeat("b", 31))
	res, err := odpsFormat.Run(m, Options{})
	if err != nil {
		t.Fatal(err)
	}
	LoadSchemas(t, "testdata/schemas").Validate(t, "odps", res.Files)
	if len(res.Losses) != 1 || res.Losses[0].Product != "dst.reader" || res.Losses[0].Path != "inputPorts.in.version" || res.Losses[0].Kind != LossDefaulted {
		t.Errorf("losses: %v", res.Losses)
	}
	if !strings.Contains(string(res.Files["dst/reader.odps.yaml"]), "version: unknown") {
		t.Errorf("no version: unknown:\n%s", res.Files["dst/reader.odps.yaml"])
	}
}
