package plan_test

import (
	"os"
	"strings"
	"testing"

	"github.com/meshc-dev/meshc/pkg/plan"
)

// TestTypeTable checks the verdict on every pair of the nine logical types,
// one subtest per pair, against a list written independently of the
// table: a reader promised the type before must be able to read every
// value of the type after.
func TestTypeTable(t *testing.T) {
	safe := map[string]bool{"number->integer": true}
	types := []string{"string", "date", "timestamp", "time", "number", "integer", "object", "array", "boolean"}
	if strings.Join(types, " ") != strings.Join(plan.LogicalTypes, " ") {
		t.Fatalf("LogicalTypes = %v, want the nine ODCS logical types %v", plan.LogicalTypes, types)
	}
	for _, from := range types {
		for _, to := range types {
			t.Run(from+"->"+to, func(t *testing.T) {
				v := plan.JudgeTypeChange(from, to)
				want := from != to && !safe[from+"->"+to]
				if v.Breaking != want {
					t.Errorf("%s → %s breaking = %v, want %v (%s)", from, to, v.Breaking, want, v.Why)
				}
				if v.Why == "" {
					t.Errorf("%s → %s has no reason", from, to)
				}
			})
		}
	}
	if n := len(plan.TypeTable()); n != 72 {
		t.Errorf("the type table has %d pairs, want 72", n)
	}
	if v := plan.JudgeTypeChange("string", "uuid"); !v.Breaking {
		t.Errorf("a type outside the table is not breaking: %+v", v)
	}
}

// TestTypeTableDocumented checks the README shows the type table exactly
// as the rule judges it.
func TestTypeTableDocumented(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), plan.TypeMatrix()) {
		t.Errorf("README.md does not hold the type table of field-type-changed; put this under Rules:\n%s", plan.TypeMatrix())
	}
}
