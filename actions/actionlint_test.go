package actions

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/meshc-dev/meshc/internal/fixture"

	"github.com/rhysd/actionlint"
	"go.yaml.in/yaml/v3"

	"github.com/meshc-dev/meshc/pkg/scaffold"
)

// linter returns an actionlint linter, with shellcheck when it is
// installed.
func linter(t *testing.T) *actionlint.Linter {
	t.Helper()
	o := &actionlint.LinterOptions{}
	if path, err := exec.LookPath("shellcheck"); err == nil {
		o.Shellcheck = path
	}
	l, err := actionlint.NewLinter(io.Discard, o)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func report(t *testing.T, errs []*actionlint.Error, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range errs {
		t.Error(e)
	}
}

// runs returns every run: script of a workflow or a composite action.
func runs(t *testing.T, path string, src []byte) []string {
	t.Helper()
	var doc struct {
		Jobs map[string]struct {
			Steps []map[string]any `yaml:"steps"`
		} `yaml:"jobs"`
		Runs struct {
			Steps []map[string]any `yaml:"steps"`
		} `yaml:"runs"`
	}
	if err := yaml.Unmarshal(src, &doc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	steps := doc.Runs.Steps
	for _, j := range doc.Jobs {
		steps = append(steps, j.Steps...)
	}
	var out []string
	for _, s := range steps {
		if r, ok := s["run"].(string); ok {
			out = append(out, r)
		}
	}
	return out
}

// noExpressionsInRun fails when a script has a ${{ }} expression: values
// reach scripts through env:, or a value could inject shell code.
func noExpressionsInRun(t *testing.T, path string, src []byte) {
	t.Helper()
	for _, r := range runs(t, path, src) {
		if strings.Contains(r, "${{") {
			t.Errorf("%s: a run: script holds an expression; pass the value through env: instead:\n%s", path, r)
		}
	}
}

func TestExampleWorkflows(t *testing.T) {
	paths, err := filepath.Glob("workflows/*.yml")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"workflows/domain-merge.yml", "workflows/domain-pr.yml", "workflows/platform-apply.yml", "workflows/platform-reconcile.yml", "workflows/platform-site.yml"}
	if !slices.Equal(paths, want) {
		t.Fatalf("workflows %v, want %v", paths, want)
	}
	l := linter(t)
	for _, path := range paths {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		errs, err := l.Lint(path, src, nil)
		report(t, errs, err)
		noExpressionsInRun(t, path, src)
	}
}

// TestScaffoldedWorkflows lints what meshc init writes, for values other
// than the examples'.
func TestScaffoldedWorkflows(t *testing.T) {
	files, err := scaffold.Domain(scaffold.Options{
		Domain: "customer_data", Team: "Customer data", GitHub: "@acme/customers",
		PlatformRepo: "acme/platform.git-ops", MeshcVersion: "v0.3.0",
	})
	if err != nil {
		t.Fatal(err)
	}
	platform, err := scaffold.Platform(scaffold.PlatformOptions{Name: "acme_mesh", Repo: "acme-corp/platform.git-ops", MeshcVersion: "v0.3.0"})
	if err != nil {
		t.Fatal(err)
	}
	l := linter(t)
	for _, path := range []string{scaffold.PRWorkflow, scaffold.MergeWorkflow} {
		errs, err := l.Lint(path, files[path], nil)
		report(t, errs, err)
		noExpressionsInRun(t, path, files[path])
		noPlatformWriteToken(t, path, files[path])
	}
	for _, path := range []string{scaffold.ApplyWorkflow, scaffold.ReconcileWorkflow} {
		errs, err := l.Lint(path, platform[path], nil)
		report(t, errs, err)
		noExpressionsInRun(t, path, platform[path])
	}
}

// noPlatformWriteToken checks that a domain repository's workflow holds no
// token that can write the platform repository or the live catalog: it
// may only read it, or start the platform's workflows.
func noPlatformWriteToken(t *testing.T, path string, src []byte) {
	t.Helper()
	for _, bad := range []string{"MESHC_PLATFORM_TOKEN", "contents: write", "git push", "--auto-approve"} {
		if strings.Contains(string(src), bad) {
			t.Errorf("%s holds %q: a domain repository must not be able to write the platform or the catalog", path, bad)
		}
	}
}

// TestAction lints the composite action three ways: actionlint reads its
// metadata when a workflow uses it locally (and checks the inputs given
// to it); its steps are linted as the steps of a reusable workflow with
// the same inputs; and no script holds an expression.
func TestAction(t *testing.T) {
	src, err := os.ReadFile("meshc/action.yml")
	if err != nil {
		t.Fatal(err)
	}
	noExpressionsInRun(t, "meshc/action.yml", src)

	var action struct {
		Inputs map[string]struct {
			Required bool `yaml:"required"`
		} `yaml:"inputs"`
		Outputs map[string]struct {
			Value string `yaml:"value"`
		} `yaml:"outputs"`
		Runs struct {
			Using string           `yaml:"using"`
			Steps []map[string]any `yaml:"steps"`
		} `yaml:"runs"`
	}
	if err := yaml.Unmarshal(src, &action); err != nil {
		t.Fatal(err)
	}
	if action.Runs.Using != "composite" {
		t.Fatalf("runs.using %q, want composite", action.Runs.Using)
	}
	for _, in := range []string{"command", "config", "args", "version", "working-directory"} {
		if _, ok := action.Inputs[in]; !ok {
			t.Errorf("no input %q", in)
		}
	}
	// Every output maps a step output that the step writes.
	ids := map[string]bool{}
	for _, s := range action.Runs.Steps {
		if id, ok := s["id"].(string); ok {
			ids[id] = true
		}
	}
	ref := regexp.MustCompile(`^\$\{\{ steps\.([a-z-]+)\.outputs\.([a-z-]+) \}\}$`)
	for _, out := range []string{"has-changes", "has-errors", "breaking", "report-path", "comment-url"} {
		m := ref.FindStringSubmatch(action.Outputs[out].Value)
		if m == nil || !ids[m[1]] || m[2] != out {
			t.Errorf("output %s is %q, want ${{ steps.<id>.outputs.%[1]s }}", out, action.Outputs[out].Value)
		}
	}

	t.Run("used locally", func(t *testing.T) {
		root := t.TempDir()
		write(t, filepath.Join(root, "actions/meshc/action.yml"), string(src))
		use := func(with string) string {
			return "on: push\njobs:\n  run:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n" +
				"      - uses: ./actions/meshc\n        with:\n" + with
		}
		good := filepath.Join(root, ".github/workflows/good.yml")
		write(t, good, use("          command: plan\n          config: mesh.cue\n          args: --domain orders=mesh\n          version: v0.3.0\n          working-directory: .\n"))
		bad := filepath.Join(root, ".github/workflows/bad.yml")
		write(t, bad, use("          config: mesh.cue\n          bogus: x\n"))
		proj, err := actionlint.NewProject(root)
		if err != nil {
			t.Fatal(err)
		}
		l := linter(t)
		errs, err := l.LintFiles([]string{good}, proj)
		report(t, errs, err)
		// The control: actionlint did read the metadata.
		errs, err = l.LintFiles([]string{bad}, proj)
		if err != nil {
			t.Fatal(err)
		}
		var msgs []string
		for _, e := range errs {
			msgs = append(msgs, e.Message)
		}
		all := strings.Join(msgs, "\n")
		if !strings.Contains(all, `"bogus"`) || !strings.Contains(all, `"command"`) {
			t.Errorf("actionlint did not check the inputs against action.yml:\n%s", all)
		}
	})

	t.Run("steps", func(t *testing.T) {
		inputs := map[string]any{}
		for name, in := range action.Inputs {
			inputs[name] = map[string]any{"type": "string", "required": in.Required}
		}
		asWorkflow := func(steps []map[string]any) []byte {
			b, err := yaml.Marshal(map[string]any{
				"on": map[string]any{"workflow_call": map[string]any{"inputs": inputs}},
				"jobs": map[string]any{"action": map[string]any{
					"runs-on": "ubuntu-latest",
					"steps":   steps,
				}},
			})
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
		l := linter(t)
		errs, err := l.Lint("meshc/action.yml (steps)", asWorkflow(action.Runs.Steps), nil)
		report(t, errs, err)
		// The control: an input the action does not have is caught.
		bad := append(slices.Clone(action.Runs.Steps), map[string]any{"shell": "bash", "env": map[string]any{"X": "${{ inputs.nope }}"}, "run": "true"})
		errs, err = l.Lint("bad", asWorkflow(bad), nil)
		if err != nil || len(errs) == 0 || !strings.Contains(errs[0].Message, `"nope"`) {
			t.Errorf("an undefined input was not caught: %v %v", errs, err)
		}
	})
}

// TestLinterCatches makes sure the lint above can fail: a script that
// interpolates a pull request's title is an error.
func TestLinterCatches(t *testing.T) {
	src := `on: pull_request
jobs:
  x:
    runs-on: ubuntu-latest
    steps:
      - run: echo "${{ github.event.pull_request.title }}"
`
	errs, err := linter(t).Lint("injection.yml", []byte(src), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(errs) == 0 {
		t.Error("actionlint let a script injection pass")
	}
}

func write(t *testing.T, path, s string) {
	t.Helper()
	fixture.Write(t, "", path, []byte(s))
}
