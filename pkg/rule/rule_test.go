package rule

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// The stages register their rules when linked in; this package's tests
// register a few of the same shape.
var (
	_ = Register(Rule{ID: "field-removed", Code: "breaking-change", Stage: Plan, Purpose: "a field is removed", Explanation: "x"})
	_ = Register(Rule{ID: "breaking-change", Code: "breaking-change", Stage: Plan, Purpose: "a breaking change needs a major version", Explanation: "x"})
	_ = Register(Rule{ID: "cycle", Code: "cycle", Stage: Mesh, Purpose: "no cycles", Explanation: "x"})
	_ = Register(Rule{ID: "lifecycle-order", Code: "lifecycle", Stage: Plan, Purpose: "status moves forward", Explanation: "x"})
)

func TestRegisterRefuses(t *testing.T) {
	ok := Rule{ID: "cycle", Code: "cycle", Stage: Mesh, Purpose: "p", Explanation: "e"}
	for _, tc := range []struct {
		name string
		edit func(*Rule)
		want string
	}{
		{"duplicate", func(*Rule) {}, "registered twice"},
		{"bad id", func(r *Rule) { r.ID = "Cycle" }, "lower-case"},
		{"no code", func(r *Rule) { r.ID, r.Code = "other", "" }, "code"},
		{"unknown stage", func(r *Rule) { r.ID, r.Stage = "other", "lint" }, "unknown stage"},
		{"no explanation", func(r *Rule) { r.ID, r.Explanation = "other", "" }, "explanation"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var g registry
			g.register(ok)
			r := ok
			tc.edit(&r)
			defer func() {
				msg, _ := recover().(string)
				if !strings.Contains(msg, tc.want) {
					t.Errorf("panic %q, want one saying %q", msg, tc.want)
				}
			}()
			g.register(r)
		})
	}
}

func TestAllIsByStageThenID(t *testing.T) {
	var g registry
	for _, r := range []Rule{
		{ID: "stale-plan", Code: "stale-plan", Stage: Apply},
		{ID: "port-removed", Code: "breaking-change", Stage: Plan},
		{ID: "cycle", Code: "cycle", Stage: Mesh},
		{ID: "access-narrowed", Code: "breaking-change", Stage: Plan},
		{ID: "schema", Code: "schema", Stage: Compile},
		{ID: "access", Code: "access", Stage: Mesh},
		{ID: "waiver", Code: "waiver", Stage: Config},
	} {
		r.Purpose, r.Explanation = "p", "e"
		g.register(r)
	}
	var got []string
	for _, r := range g.all() {
		got = append(got, r.ID)
	}
	want := []string{"waiver", "schema", "access", "cycle", "access-narrowed", "port-removed", "stale-plan"}
	if !slices.Equal(got, want) {
		t.Errorf("all() = %v, want %v", got, want)
	}
}

func TestLookupKnownSuggest(t *testing.T) {
	if r, ok := Lookup("field-removed"); !ok || r.Code != "breaking-change" {
		t.Errorf("Lookup(field-removed) = %+v, %v", r, ok)
	}
	if _, ok := Lookup("breaking"); ok {
		t.Error("Lookup found a rule that is not registered")
	}
	for name, want := range map[string]bool{"field-removed": true, "breaking-change": true, "lifecycle": true, "waiver": true, "field-remove": false, "": false} {
		if Known(name) != want {
			t.Errorf("Known(%q) = %v, want %v", name, !want, want)
		}
	}
	for id, want := range map[string]string{"field-remove": "field-removed", "lifecycle-ordr": "lifecycle-order", "cycles": "cycle", "zzzzzzzz": ""} {
		if got := Suggest(id); got != want {
			t.Errorf("Suggest(%q) = %q, want %q", id, got, want)
		}
	}
}

// TestJSON pins the field names `meshc rules --format json` prints.
func TestJSON(t *testing.T) {
	r, _ := Lookup("field-removed")
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"id":"field-removed","code":"breaking-change","stage":"plan","purpose":"a field is removed"}`; string(b) != want {
		t.Errorf("JSON %s, want %s", b, want)
	}
}

// TestSetWithPolicyRules keeps a run's own rules out of the registry: a
// Set knows them, the registry does not, and a clash is refused.
func TestSetWithPolicyRules(t *testing.T) {
	own := Rule{ID: "team-mailbox", Code: "team-mailbox", Stage: Compile, Purpose: "p", Explanation: "e"}
	s := WithRules([]Rule{own})
	if _, ok := s.Lookup("team-mailbox"); !ok || !s.Known("team-mailbox") {
		t.Error("the set does not know its own rule")
	}
	if _, ok := Lookup("team-mailbox"); ok || Known("team-mailbox") {
		t.Error("a run's rule leaked into the registry")
	}
	if got := s.Suggest("team-mailbx"); got != "team-mailbox" {
		t.Errorf("Suggest = %q", got)
	}
	var nilSet *Set
	if len(nilSet.All()) != len(All()) || len(s.All()) != len(All())+1 {
		t.Errorf("All: nil set %d, set %d, registry %d", len(nilSet.All()), len(s.All()), len(All()))
	}
	defer func() {
		if recover() == nil {
			t.Error("a run's rule may take a registered ID")
		}
	}()
	WithRules([]Rule{{ID: All()[0].ID, Code: "x", Stage: Compile, Purpose: "p", Explanation: "e"}})
}
