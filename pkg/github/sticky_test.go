package github_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/meshc-dev/meshc/pkg/github"
	"github.com/meshc-dev/meshc/pkg/github/githubtest"
)

// fakeEnv is a pull request's Actions environment against srv.
func fakeEnv(t *testing.T, apiURL string) *github.Env {
	t.Helper()
	dir := t.TempDir()
	vars := map[string]string{
		"GITHUB_ACTIONS": "true", "GITHUB_API_URL": apiURL, "GITHUB_REPOSITORY": "acme/orders-data",
		"GITHUB_EVENT_NAME": "pull_request", "GITHUB_EVENT_PATH": filepath.Join("testdata", "pull_request.json"),
		"GITHUB_TOKEN": "ghs_test", "GITHUB_RUN_ID": "1", "RUNNER_TEMP": dir,
	}
	env, err := github.LoadEnv(func(k string) string { return vars[k] })
	if err != nil {
		t.Fatal(err)
	}
	env.Stdout = &strings.Builder{}
	return env
}

// mine returns the bodies of meshc's own comments on #12.
func mine(srv *githubtest.Server) []string {
	var out []string
	for _, c := range srv.Comments(12) {
		if c.Author == "github-actions[bot]" {
			out = append(out, c.Body)
		}
	}
	return out
}

// TestStickyCommentIgnoresOthersMarker: a comment by anyone else that
// starts with meshc's marker (a fake "No changes") is neither edited nor
// taken for meshc's: meshc posts its own.
func TestStickyCommentIgnoresOthersMarker(t *testing.T) {
	srv := githubtest.NewServer()
	defer srv.Close()
	env := fakeEnv(t, srv.APIURL())
	fake := github.Marker("acme") + "\n## meshc plan for acme\n**No changes**"
	id := srv.AddComment(12, "mallory", fake)
	c, err := github.NewClient(env, github.Options{RetryDelay: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := c.Publish(context.Background(), env, github.Report{Kind: "plan", Mesh: "acme", Plan: breaking()}); err != nil {
			t.Fatal(err)
		}
	}
	for _, cm := range srv.Comments(12) {
		if cm.ID == id && (cm.Body != fake || cm.Edits != 0) {
			t.Errorf("mallory's comment was edited: %+v", cm)
		}
	}
	if got := mine(srv); len(got) != 1 || !strings.Contains(got[0], "field-removed") {
		t.Errorf("meshc's comments: %q; want one, the report", got)
	}
}

// TestStickyCommentEditRefused: when meshc's own comment cannot be edited,
// a new one is posted, so the stale report does not stand, and a note says so.
func TestStickyCommentEditRefused(t *testing.T) {
	srv := githubtest.NewServer()
	defer srv.Close()
	env := fakeEnv(t, srv.APIURL())
	c, err := github.NewClient(env, github.Options{RetryDelay: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	p := breaking()
	if _, err := c.Publish(context.Background(), env, github.Report{Kind: "plan", Mesh: "acme", Plan: p}); err != nil {
		t.Fatal(err)
	}
	srv.SetEditRefused(true)
	p.Changes[0].After.Version = "9.0.0"
	res, err := c.Publish(context.Background(), env, github.Report{Kind: "plan", Mesh: "acme", Plan: p})
	if err != nil {
		t.Fatal(err)
	}
	got := mine(srv)
	if len(got) != 2 || !strings.Contains(got[1], "9.0.0") {
		t.Fatalf("meshc's comments: %d, the last with the new plan: %v", len(got), len(got) == 2 && strings.Contains(got[1], "9.0.0"))
	}
	if !strings.Contains(strings.Join(res.Notes, "\n"), "could not be edited") {
		t.Errorf("notes %q say nothing of the refused edit", res.Notes)
	}
}

// TestStickyCommentIdentity: without GraphQL's viewer meshc cannot tell
// its comment from others', so it posts a new one and says how to fix it;
// --github-user (Options.User) names the account instead.
func TestStickyCommentIdentity(t *testing.T) {
	srv := githubtest.NewServer()
	defer srv.Close()
	env := fakeEnv(t, srv.APIURL())
	c, err := github.NewClient(env, github.Options{RetryDelay: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Publish(context.Background(), env, github.Report{Kind: "plan", Mesh: "acme", Plan: breaking()}); err != nil {
		t.Fatal(err)
	}
	srv.SetGraphQLRefused(true)
	blind, err := github.NewClient(env, github.Options{RetryDelay: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	res, err := blind.Publish(context.Background(), env, github.Report{Kind: "plan", Mesh: "acme", Plan: breaking()})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(mine(srv)); n != 2 {
		t.Errorf("%d comments of meshc's; want a new one posted", n)
	}
	if !strings.Contains(strings.Join(res.Notes, "\n"), "--github-user") {
		t.Errorf("notes %q do not name --github-user", res.Notes)
	}
	named, err := github.NewClient(env, github.Options{RetryDelay: time.Millisecond, User: "github-actions[bot]"})
	if err != nil {
		t.Fatal(err)
	}
	p := breaking()
	p.Changes[0].After.Version = "7.0.0"
	if _, err := named.Publish(context.Background(), env, github.Report{Kind: "plan", Mesh: "acme", Plan: p}); err != nil {
		t.Fatal(err)
	}
	if got := mine(srv); len(got) != 2 || !strings.Contains(got[0], "7.0.0") {
		t.Errorf("with the user named, the first comment of meshc's is not edited")
	}
}

// TestPublishTimesOut: an API that accepts the connection and never
// answers fails the call after Options.Timeout, naming it.
func TestPublishTimesOut(t *testing.T) {
	release := make(chan struct{})
	hung := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release
	}))
	defer hung.Close()
	defer close(release)
	env := fakeEnv(t, hung.URL+"/api/v3")
	c, err := github.NewClient(env, github.Options{MaxTries: 1, Timeout: 200 * time.Millisecond, User: "github-actions[bot]"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Publish(context.Background(), env, github.Report{Kind: "plan", Mesh: "acme", Plan: breaking()})
	if err == nil || !strings.Contains(err.Error(), "listing comments") {
		t.Fatalf("Publish against a hung API = %v; want the listing to time out", err)
	}
}
