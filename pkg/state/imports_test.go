package state

import (
	"go/build"
	"strings"
	"testing"
)

// TestImports keeps the layering of doc.go: of meshc, state may import only
// the model and diagnostics.
func TestImports(t *testing.T) {
	pkg, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	allowed := map[string]bool{
		"github.com/meshc-dev/meshc/pkg/catalog": true,
		"github.com/meshc-dev/meshc/pkg/diag":    true,
	}
	for _, imp := range pkg.Imports {
		if strings.HasPrefix(imp, "github.com/meshc-dev/meshc/") && !allowed[imp] {
			t.Errorf("state imports %s; it may import only pkg/catalog and pkg/diag of meshc", imp)
		}
	}
}
