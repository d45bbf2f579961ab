package cli

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshc-dev/meshc/pkg/github/githubtest"
)

// planted are the secrets of TestNoSecretInAnyOutput: a token given as a
// git URL's user name and one in its query.
var planted = []string{"ghp_plantedTOKEN1234567890abcdef", "sekretQueryValue"}

// TestNoSecretInAnyOutput plants tokens in a domain's git URL (a remote
// that refuses connections, so net/http and go-git quote the URL in their
// errors) and runs every command that reports: no output, report, catalog,
// plan or cache file holds them.
func TestNoSecretInAnyOutput(t *testing.T) {
	cfg := example(t)
	dir := filepath.Dir(cfg)
	b, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + planted[0] + "@127.0.0.1:1/orders.git?access_token=" + planted[1]
	s := strings.Replace(string(b), `orders: {path: "./domains/orders"}`, `orders: {git: "`+url+`", ref: "main"}`, 1)
	if err := os.WriteFile(cfg, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	cache := filepath.Join(dir, "cache")
	srv := githubtest.NewServer()
	defer srv.Close()
	vars := map[string]string{
		"MESHC_USER": "test", "GITHUB_ACTIONS": "true", "GITHUB_API_URL": srv.APIURL(), "GITHUB_REPOSITORY": "acme/platform",
		"GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": filepath.Join(dir, "event.json"), "GITHUB_TOKEN": "ghs_test",
		"GITHUB_RUN_ID": "1", "GITHUB_SHA": strings.Repeat("1", 40), "GITHUB_STEP_SUMMARY": filepath.Join(dir, "summary.md"),
		"GITHUB_OUTPUT": filepath.Join(dir, "output.txt"), "RUNNER_TEMP": dir,
	}
	event := `{"number": 12, "pull_request": {"number": 12, "head": {"sha": "` + strings.Repeat("2", 40) + `"}}}`
	if err := os.WriteFile(vars["GITHUB_EVENT_PATH"], []byte(event), 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	common := []string{"--config", cfg, "--cache-dir", cache, "--git-timeout", "5s"}
	for _, args := range [][]string{
		{"validate", "--github"}, {"plan", "--github", "-out", filepath.Join(dir, "plan.json")},
		{"reconcile", "--format", "json"}, {"reconcile", "--apply", "--auto-approve", "--github"},
		{"apply", "--auto-approve", "--format", "json"}, {"catalog", "show", "--format", "json"},
	} {
		Run(context.Background(), append(args, common...), &Env{Stdout: &out, Stderr: &out, Getenv: func(k string) string { return vars[k] }})
	}
	if !strings.Contains(out.String(), "127.0.0.1:1/orders.git") {
		t.Fatalf("the runs never named the remote; the test tests nothing:\n%s", out.String())
	}
	check := func(what, text string) {
		for _, p := range planted {
			if strings.Contains(text, p) {
				i := strings.Index(text, p)
				t.Errorf("%s holds the planted secret %s: …%s…", what, p, text[max(0, i-120):min(len(text), i+60)])
			}
		}
	}
	check("the output", out.String())
	for _, c := range srv.Comments(12) {
		check("a pull-request comment", c.Body)
	}
	for _, r := range srv.CheckRuns() {
		check("a check run", r.Summary)
		for _, a := range r.Annotations {
			check("an annotation", a.Message)
		}
	}
	filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() || p == cfg {
			return err
		}
		b, err := os.ReadFile(p)
		if err == nil {
			check(p, string(b))
		}
		return nil
	})
}
