package plan_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshc-dev/meshc/pkg/plan"
)

// minimal is the smallest document Load takes as a plan: sealed, with a
// desired catalog (what the seal means is the engine's to verify).
const minimal = `{"format_version":"1","changes":[],"desired":{"domains":{},"products":{}},"mesh":{"platform":"acme"},"checksum":"x"}`

// sealed adds what minimal has beyond format_version and changes to doc's
// object, so that Load reaches its shape checks.
func sealed(doc string) string {
	if !strings.Contains(doc, `"desired"`) {
		doc = strings.TrimSuffix(doc, "}") + `,"desired":{"domains":{},"products":{}}}`
	}
	return strings.TrimSuffix(doc, "}") + `,"mesh":{"platform":"acme"},"checksum":"x"}`
}

// TestLoadRefusesShapes: null entries, unknown actions and serials out of
// range are refused as not a plan, before anything reads them (a null
// change panicked the apply that read it).
func TestLoadRefusesShapes(t *testing.T) {
	for _, tc := range []struct{ doc, want string }{
		{sealed(`{"format_version":"1","changes":[null]}`), "changes[0] is null"},
		{sealed(`{"format_version":"1","changes":[{"product":"a.b","action":"explode"}]}`), `changes[0].action is "explode"`},
		{sealed(`{"format_version":"1","changes":[],"desired":{"domains":{},"products":{"a.b":null}}}`), `desired.products."a.b" is null`},
		{sealed(`{"format_version":"1","changes":[],"desired":{"domains":{"a":null},"products":{}}}`), `desired.domains."a" is null`},
		{sealed(`{"format_version":"1","changes":[],"live_serial":-1}`), "live_serial -1 is negative"},
		{sealed(`{"format_version":"1","changes":[],"live_serial":9223372036854775807}`), "has no successor"},
		{sealed(`{"format_version":"1","changes":[],"live_serial":1e30}`), "live_serial"},
		{`{"format_version":"1","changes":{}}`, "changes"},
		{`null`, "no format_version"},
	} {
		path := filepath.Join(t.TempDir(), "plan.json")
		if err := os.WriteFile(path, []byte(tc.doc), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := plan.Load(path)
		var np *plan.NotAPlanError
		if !errors.As(err, &np) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Load(%s) = %v; want a NotAPlanError saying %q", tc.doc, err, tc.want)
		}
	}
}

// FuzzLoad: no file makes Load panic; what it refuses is a *NotAPlanError,
// and what it takes has no null change.
func FuzzLoad(f *testing.F) {
	for _, seed := range []string{minimal, "", "null", "[]", `{"format_version":"1","changes":[null]}`,
		`{"format_version":"1","changes":[{"action":"create","product":"a.b"}],"desired":{"domains":{"a":{}},"products":{"a.b":{"id":"a.b"}}}}`} {
		f.Add([]byte(seed))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "plan.json")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		p, err := plan.Load(path)
		if err != nil {
			if _, ok := errors.AsType[*plan.NotAPlanError](err); !ok {
				t.Fatalf("Load error %T %v; want *plan.NotAPlanError", err, err)
			}
			return
		}
		for i, c := range p.Changes {
			if c == nil {
				t.Fatalf("changes[%d] is null in a loaded plan", i)
			}
		}
	})
}
