package github

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// PublicAPIURL is the API of github.com; any other API URL is a GitHub
// Enterprise Server's.
const PublicAPIURL = "https://api.github.com"

// Env is the GitHub Actions environment of a run.
type Env struct {
	APIURL     string // GITHUB_API_URL
	ServerURL  string // GITHUB_SERVER_URL
	Repository string // GITHUB_REPOSITORY, "owner/name"
	Owner      string // its owner
	Repo       string // its name
	EventName  string // GITHUB_EVENT_NAME
	EventPath  string // GITHUB_EVENT_PATH
	Token      string // GITHUB_TOKEN
	RunID      string // GITHUB_RUN_ID
	// StepSummary and Output are the files of the job summary and of the
	// step's outputs (GITHUB_STEP_SUMMARY, GITHUB_OUTPUT); empty for none.
	StepSummary string
	Output      string
	// RunnerTemp is where the full report is written (RUNNER_TEMP); empty
	// means os.TempDir().
	RunnerTemp string
	// WorkflowSHA is GITHUB_SHA: for pull requests, the merge commit.
	WorkflowSHA string
	// SHA is the commit the check run goes on: a pull request's head
	// commit, a push's after commit, or else GITHUB_SHA.
	SHA string
	// PullRequest is the pull request's number; 0 when the event is not
	// about one.
	PullRequest int
	// Workspace is the checkout (GITHUB_WORKSPACE) and Dir the directory
	// meshc runs in, to which diagnostics' files are relative. Annotations
	// name files relative to the workspace; empty Workspace leaves them as
	// they are.
	Workspace string
	Dir       string

	// Stdout receives the workflow commands (::error ...) of degraded mode;
	// the runner reads them from the step's output. Nil means os.Stdout.
	Stdout io.Writer
}

// LoadEnv reads the Actions environment through getenv (os.Getenv in the
// CLI) and the event payload at GITHUB_EVENT_PATH.
func LoadEnv(getenv func(string) string) (*Env, error) {
	if getenv("GITHUB_ACTIONS") != "true" {
		return nil, errors.New("--github works in GitHub Actions only: GITHUB_ACTIONS is not \"true\"")
	}
	e := &Env{
		APIURL:      strings.TrimRight(getenv("GITHUB_API_URL"), "/"),
		ServerURL:   strings.TrimRight(getenv("GITHUB_SERVER_URL"), "/"),
		Repository:  getenv("GITHUB_REPOSITORY"),
		EventName:   getenv("GITHUB_EVENT_NAME"),
		EventPath:   getenv("GITHUB_EVENT_PATH"),
		Token:       getenv("GITHUB_TOKEN"),
		RunID:       getenv("GITHUB_RUN_ID"),
		StepSummary: getenv("GITHUB_STEP_SUMMARY"),
		Output:      getenv("GITHUB_OUTPUT"),
		RunnerTemp:  getenv("RUNNER_TEMP"),
		WorkflowSHA: getenv("GITHUB_SHA"),
		Workspace:   getenv("GITHUB_WORKSPACE"),
	}
	e.Dir, _ = os.Getwd()
	if e.APIURL == "" {
		e.APIURL = PublicAPIURL
	}
	if e.ServerURL == "" {
		e.ServerURL = "https://github.com"
	}
	if e.Token == "" {
		return nil, errors.New("--github needs GITHUB_TOKEN: give it to the step, e.g. env: {GITHUB_TOKEN: ${{ github.token }}}")
	}
	owner, repo, ok := strings.Cut(e.Repository, "/")
	if !ok || owner == "" || repo == "" || strings.Contains(repo, "/") {
		return nil, fmt.Errorf("GITHUB_REPOSITORY is %q, want owner/name", e.Repository)
	}
	e.Owner, e.Repo = owner, repo
	if err := e.readEvent(); err != nil {
		return nil, err
	}
	return e, nil
}

// event is the part of an event payload meshc reads.
type event struct {
	After       string `json:"after"`
	PullRequest *struct {
		Number int `json:"number"`
		Head   struct {
			SHA string `json:"sha"`
		} `json:"head"`
	} `json:"pull_request"`
}

// zeroSHA is a push's after commit when the branch was deleted.
const zeroSHA = "0000000000000000000000000000000000000000"

// readEvent sets SHA and PullRequest from the event payload.
func (e *Env) readEvent() error {
	e.SHA = e.WorkflowSHA
	var ev event
	switch {
	case e.EventPath != "":
		b, err := os.ReadFile(e.EventPath)
		if err != nil {
			return fmt.Errorf("reading the event payload: %w", err)
		}
		if err := json.Unmarshal(b, &ev); err != nil {
			return fmt.Errorf("reading the event payload %s: %v", e.EventPath, err)
		}
	case e.EventName == "pull_request" || e.EventName == "pull_request_target":
		return fmt.Errorf("GITHUB_EVENT_PATH is not set: cannot tell which pull request this %s event is about", e.EventName)
	}
	switch e.EventName {
	case "pull_request", "pull_request_target":
		// Checks go on the head commit: GITHUB_SHA is the merge commit,
		// which the pull request's page does not show.
		if ev.PullRequest == nil || ev.PullRequest.Number == 0 || ev.PullRequest.Head.SHA == "" {
			return fmt.Errorf("the %s event payload %s has no pull_request.number and pull_request.head.sha", e.EventName, e.EventPath)
		}
		e.PullRequest = ev.PullRequest.Number
		e.SHA = ev.PullRequest.Head.SHA
	case "push":
		if ev.After != "" && ev.After != zeroSHA {
			e.SHA = ev.After
		}
	}
	if e.SHA == "" {
		return fmt.Errorf("no commit to report on: GITHUB_SHA is not set for this %s event", e.EventName)
	}
	return nil
}

// RunURL is the web page of the workflow run; empty when unknown.
func (e *Env) RunURL() string {
	if e.RunID == "" {
		return ""
	}
	return e.ServerURL + "/" + e.Repository + "/actions/runs/" + e.RunID
}

// repoPath names a diagnostic's file as GitHub does: relative to the
// repository's root, with slashes. A file outside the workspace keeps its
// name.
func (e *Env) repoPath(file string) string {
	if e.Workspace == "" || file == "" {
		return file
	}
	abs := file
	if !filepath.IsAbs(abs) {
		abs = filepath.Join(e.Dir, file)
	}
	rel, err := filepath.Rel(e.Workspace, abs)
	if err != nil || !filepath.IsLocal(rel) {
		return file
	}
	return filepath.ToSlash(rel)
}

func (e *Env) stdout() io.Writer {
	if e.Stdout == nil {
		return os.Stdout
	}
	return e.Stdout
}
