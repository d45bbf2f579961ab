package github

import (
	"strings"
	"testing"
)

func TestLoadEnv(t *testing.T) {
	for _, tc := range []struct {
		event, payload string
		sha            string
		pr             int
	}{
		{"pull_request", "pull_request.json", headSHA, 12},
		{"pull_request_target", "pull_request.json", headSHA, 12},
		{"push", "push.json", "0d1a26e67d8f5eaf1f6ba5c57fc3c7d91ac0fd1c", 0},
		{"push", "push_deleted.json", mergeSHA, 0},
		{"schedule", "schedule.json", mergeSHA, 0},
		{"workflow_dispatch", "", mergeSHA, 0},
	} {
		t.Run(tc.event+"/"+tc.payload, func(t *testing.T) {
			env, _ := loadEnv(t, actionsEnv(t, tc.event, tc.payload))
			if env.SHA != tc.sha || env.PullRequest != tc.pr {
				t.Errorf("SHA, PullRequest = %s, %d; want %s, %d", env.SHA, env.PullRequest, tc.sha, tc.pr)
			}
			if env.Owner != "acme" || env.Repo != "orders-data" || env.WorkflowSHA != mergeSHA {
				t.Errorf("Owner, Repo, WorkflowSHA = %q, %q, %q", env.Owner, env.Repo, env.WorkflowSHA)
			}
			if got, want := env.RunURL(), "https://github.com/acme/orders-data/actions/runs/4242"; got != want {
				t.Errorf("RunURL = %q, want %q", got, want)
			}
		})
	}
}

func TestLoadEnvErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(map[string]string)
		want string
	}{
		{"not in Actions", func(v map[string]string) { delete(v, "GITHUB_ACTIONS") }, "--github works in GitHub Actions only"},
		{"no token", func(v map[string]string) { delete(v, "GITHUB_TOKEN") }, "--github needs GITHUB_TOKEN"},
		{"bad repository", func(v map[string]string) { v["GITHUB_REPOSITORY"] = "acme" }, `GITHUB_REPOSITORY is "acme", want owner/name`},
		{"no payload", func(v map[string]string) { v["GITHUB_EVENT_PATH"] = "testdata/missing.json" }, "reading the event payload"},
		{"pull request without payload", func(v map[string]string) { delete(v, "GITHUB_EVENT_PATH") }, "GITHUB_EVENT_PATH is not set"},
		{"payload of another event", func(v map[string]string) { v["GITHUB_EVENT_PATH"] = "testdata/push.json" }, "has no pull_request.number and pull_request.head.sha"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			vars := actionsEnv(t, "pull_request", "pull_request.json")
			tc.edit(vars)
			_, err := LoadEnv(getenv(vars))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("LoadEnv: %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

func TestEnterpriseURLs(t *testing.T) {
	for _, tc := range []struct{ api, want string }{
		{"https://api.github.com", "https://api.github.com/"},
		{"https://ghe.acme.example/api/v3", "https://ghe.acme.example/api/v3/"},
		{"https://ghe.acme.example/api/v3/", "https://ghe.acme.example/api/v3/"},
		{"https://api.acme.ghe.com", "https://api.acme.ghe.com/"},
	} {
		vars := actionsEnv(t, "push", "push.json")
		vars["GITHUB_API_URL"] = tc.api
		env, _ := loadEnv(t, vars)
		c, err := NewClient(env, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if got := c.BaseURL(); got != tc.want {
			t.Errorf("GITHUB_API_URL %s: BaseURL %s, want %s", tc.api, got, tc.want)
		}
	}
}

// TestRepoPath names files relative to the checkout, as annotations need,
// when meshc runs in a subdirectory of it.
func TestRepoPath(t *testing.T) {
	e := &Env{Workspace: "/runner/work/orders", Dir: "/runner/work/orders/sub"}
	for _, tc := range []struct{ in, want string }{
		{"mesh/products.cue", "sub/mesh/products.cue"},
		{"../mesh.cue", "mesh.cue"},
		{"/runner/work/orders/.meshc-platform/policies/acme.cue", ".meshc-platform/policies/acme.cue"},
		{"/elsewhere/x.cue", "/elsewhere/x.cue"},
		{"../../other/x.cue", "../../other/x.cue"},
		{"", ""},
	} {
		if got := e.repoPath(tc.in); got != tc.want {
			t.Errorf("repoPath(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if got := (&Env{}).repoPath("mesh/a.cue"); got != "mesh/a.cue" {
		t.Errorf("without a workspace: %q", got)
	}
}
