package cli

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/meshc-dev/meshc/pkg/engine"
	"github.com/meshc-dev/meshc/pkg/rule"
)

const root = "../.."

// readmeTables returns the tables of README.md's "### Rules" section, each
// as its rows (ID, purpose), backticks taken out.
func readmeTables(t *testing.T) ([][][2]string, string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(b), "\n### Rules\n")
	if !ok {
		t.Fatal("README.md has no ### Rules section")
	}
	section, _, _ = strings.Cut(section, "\n### ")
	var tables [][][2]string
	var cur [][2]string
	other, in := false, false // in a table that is not of rules (the type table); in a table
	for _, line := range strings.Split(section, "\n") {
		if !strings.HasPrefix(line, "|") {
			if cur != nil {
				tables = append(tables, cur)
				cur = nil
			}
			other, in = false, false
			continue
		}
		if !in {
			in, other = true, !strings.HasPrefix(line, "| ID |")
		}
		if other {
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		if len(cells) != 2 {
			t.Fatalf("README.md rule table row %q has %d cells, want 2", line, len(cells))
		}
		id, purpose := strings.TrimSpace(cells[0]), strings.TrimSpace(cells[1])
		if id == "ID" || strings.HasPrefix(id, "---") {
			continue // header and separator
		}
		cur = append(cur, [2]string{strings.ReplaceAll(id, "`", ""), strings.ReplaceAll(purpose, "`", "")})
	}
	if cur != nil {
		tables = append(tables, cur)
	}
	return tables, section
}

// TestREADMERules keeps README.md's rule tables equal to the registry: the
// mesh rules (compile and mesh stages), the rules of change (code
// breaking-change) and the lifecycle rules of the plan, in rule.All's
// order, with their purposes; every other rule is named in the section.
func TestREADMERules(t *testing.T) {
	tables, section := readmeTables(t)
	groups := []struct {
		name string
		in   func(rule.Rule) bool
	}{
		{"mesh rules", func(r rule.Rule) bool { return r.Stage == rule.Compile || r.Stage == rule.Mesh }},
		{"rules of change", func(r rule.Rule) bool { return r.Code == "breaking-change" && r.ID != "breaking-change" }},
		{"lifecycle rules", func(r rule.Rule) bool { return r.Stage == rule.Plan && r.Code == "lifecycle" }},
	}
	if len(tables) != len(groups) {
		t.Fatalf("README.md's ### Rules has %d tables, want %d (%v)", len(tables), len(groups), tables)
	}
	tabled := map[string]bool{}
	for i, g := range groups {
		var want [][2]string
		for _, r := range rule.All() {
			if g.in(r) {
				want = append(want, [2]string{r.ID, r.Purpose})
				tabled[r.ID] = true
			}
		}
		if !slices.Equal(tables[i], want) {
			t.Errorf("README.md's table of %s drifted from the registry (rule.All order, purposes as registered):\n--- README\n%s--- registry\n%s",
				g.name, rows(tables[i]), rows(want))
		}
	}
	for _, r := range rule.All() {
		if r.Stage == rule.Score {
			continue // the platform's scorecard checks: its own, not meshc's
		}
		if !tabled[r.ID] && !strings.Contains(section, "`"+r.ID+"`") {
			t.Errorf("rule %s is in no README.md table and not named in its ### Rules section", r.ID)
		}
	}
}

func rows(rs [][2]string) string {
	var b strings.Builder
	for _, r := range rs {
		b.WriteString("| " + r[0] + " | " + r[1] + " |\n")
	}
	return b.String()
}

// coveredElsewhere names, for the rules that cannot have a fixture of
// pkg/mesh or pkg/plan (they judge mesh.cue or an apply), the tests that
// cover them; each must exist and name the rule.
var coveredElsewhere = map[string][]string{
	"waiver":      {"cmd/meshc/testdata/script/waivers.txtar", "pkg/rule/waiver_test.go", "pkg/diag/waiver_test.go"},
	"stale-plan":  {"cmd/meshc/testdata/script/plan_apply.txtar", "internal/cli/apply_test.go"},
	"sealed-plan": {"cmd/meshc/testdata/script/sealed_plans.txtar", "pkg/engine/verify_test.go"},
}

// TestEveryRuleHasAFixture keeps the registry and the fixtures together:
// every compile and mesh rule has pkg/mesh/testdata/rules/<id>.txtar (or
// <id>_<case>.txtar), every plan rule pkg/plan/testdata/rules/<id>.txtar,
// and every other rule is covered by the tests coveredElsewhere names.
func TestEveryRuleHasAFixture(t *testing.T) {
	dirs := map[rule.Stage]string{rule.Compile: "pkg/mesh/testdata/rules", rule.Mesh: "pkg/mesh/testdata/rules", rule.Plan: "pkg/plan/testdata/rules"}
	for _, r := range rule.All() {
		if r.Stage == rule.Score {
			continue // the platform's scorecard checks (pkg/score's tests cover their kinds)
		}
		if files, ok := coveredElsewhere[r.ID]; ok {
			for _, f := range files {
				b, err := os.ReadFile(filepath.Join(root, f))
				if err != nil || !strings.Contains(string(b), r.ID) {
					t.Errorf("rule %s: %s does not exist or does not name it (%v)", r.ID, f, err)
				}
			}
			continue
		}
		dir, ok := dirs[r.Stage]
		if !ok {
			t.Errorf("rule %s (stage %s) has no fixture directory: add it to coveredElsewhere with the tests that cover it", r.ID, r.Stage)
			continue
		}
		exact := filepath.Join(root, dir, r.ID+".txtar")
		cases, _ := filepath.Glob(filepath.Join(root, dir, r.ID+"_*.txtar"))
		if _, err := os.Stat(exact); err != nil && len(cases) == 0 {
			t.Errorf("rule %s has no fixture %s/%s.txtar", r.ID, dir, r.ID)
		}
	}
	for id := range coveredElsewhere {
		if r, ok := rule.Lookup(id); !ok || dirs[r.Stage] != "" {
			t.Errorf("coveredElsewhere names %s, which is not registered or belongs in a fixture directory", id)
		}
	}
}

// emitted finds the rule IDs and codes that expected output shows: JSON
// code and rule fields, diagnostic lines (file.cue:l:c: code: ...), plan
// fixtures' breaking changes ("  ! rule path: ...") and rendered ones
// ("! breaking: ... (rule)"), and lifecycle rules named in messages.
var emitted = []*regexp.Regexp{
	regexp.MustCompile(`"(?:code|rule)": "([^"]*)"`),
	regexp.MustCompile(`\.cue[^\s:]*(?::[^\s:]+)*: ([a-z][a-z-]*): `),
	regexp.MustCompile(`(?m)^(?:error|warning|notice) domains/[^\s:]+: ([a-z][a-z-]*): `),
	regexp.MustCompile(`(?m)^  ! ([a-z][a-z-]*) `),
	regexp.MustCompile(`(?m)! breaking: .*\(([a-z][a-z-]*)\)$`),
	regexp.MustCompile(`\((lifecycle-[a-z]+)\)`),
}

// TestGoldensUseRegisteredRules checks that every rule or code in the
// expected output of fixtures, goldens and scripts is registered, or a
// rule the example's policies name, so that `meshc rules` (with --config
// for those) explains everything a user can see.
func TestGoldensUseRegisteredRules(t *testing.T) {
	set, err := engine.Rules(filepath.Join(root, "catalog-example", "mesh.cue"))
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, pattern := range []string{
		"pkg/mesh/testdata/rules/*.txtar", "pkg/plan/testdata/rules/*.txtar",
		"pkg/render/testdata/*/*.*", "pkg/render/testdata/formats/*/*", "cmd/meshc/testdata/script/*.txtar",
	} {
		m, err := filepath.Glob(filepath.Join(root, pattern))
		if err != nil || len(m) == 0 {
			t.Fatalf("no files match %s: %v", pattern, err)
		}
		files = append(files, m...)
	}
	seen := map[string]bool{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		text := string(b)
		if strings.HasPrefix(f, filepath.Join(root, "cmd")) {
			text = scriptStdout(text)
		}
		for _, re := range emitted {
			for _, m := range re.FindAllStringSubmatch(text, -1) {
				id := m[1]
				seen[id] = true
				if _, ok := set.Lookup(id); !ok {
					t.Errorf("%s shows %q, which is not a registered rule nor one of the example's policies", f, id)
				}
			}
		}
	}
	// The patterns must keep finding what the goldens show.
	for _, id := range []string{"schema", "cycle", "breaking-change", "field-removed", "product-removed", "lifecycle-order", "waiver"} {
		if !seen[id] {
			t.Errorf("no golden shows %s: the patterns no longer match the output", id)
		}
	}
}

// scriptStdout returns a script's stdout assertions: meshc prints
// diagnostics there, while stderr holds errors of mesh.cue itself
// ("mesh.cue:5:1: stat: field not allowed"), which look alike.
func scriptStdout(script string) string {
	var b strings.Builder
	for _, line := range strings.Split(script, "\n") {
		if strings.HasPrefix(line, "stdout ") {
			b.WriteString(line + "\n")
		}
	}
	return b.String()
}

// TestRulesCommand checks meshc rules against the registry: every rule
// listed, the JSON's fields, one rule explained, an unknown one refused.
func TestRulesCommand(t *testing.T) {
	code, out := run("rules")
	if code != ExitOK {
		t.Fatalf("meshc rules: exit %d\n%s", code, out)
	}
	for _, r := range rule.All() {
		if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(r.ID) + ` +` + regexp.QuoteMeta(r.Code) + ` +` + string(r.Stage) + ` +` + regexp.QuoteMeta(r.Purpose) + `$`).MatchString(out) {
			t.Errorf("meshc rules does not list %s as id, code, stage, purpose:\n%s", r.ID, out)
		}
	}

	code, out = run("rules", "--format", "json")
	var got []map[string]string
	if err := json.Unmarshal([]byte(out), &got); code != ExitOK || err != nil {
		t.Fatalf("meshc rules --format json: exit %d, %v\n%s", code, err, out)
	}
	var want []map[string]string
	for _, r := range rule.All() {
		want = append(want, map[string]string{"id": r.ID, "code": r.Code, "stage": string(r.Stage), "purpose": r.Purpose})
	}
	if len(got) != len(want) {
		t.Fatalf("meshc rules --format json lists %d rules, want %d", len(got), len(want))
	}
	for i := range want {
		if !maps.Equal(got[i], want[i]) {
			t.Errorf("rule %d: got %v, want %v", i, got[i], want[i])
		}
	}

	r, _ := rule.Lookup("field-removed")
	if code, out := run("rules", "field-removed"); code != ExitOK || !strings.Contains(out, r.Explanation) || !strings.HasPrefix(out, "field-removed: "+r.Purpose) {
		t.Errorf("meshc rules field-removed: exit %d\n%s", code, out)
	}
	if code, out := run("rules", "field-remove"); code != ExitFailure || out != "meshc: no rule \"field-remove\"; did you mean field-removed?\n" {
		t.Errorf("meshc rules field-remove: exit %d\n%s", code, out)
	}
	if code, out := run("rules", "a", "b"); code != ExitFailure || !strings.Contains(out, "one rule ID at most") {
		t.Errorf("meshc rules a b: exit %d\n%s", code, out)
	}
}
