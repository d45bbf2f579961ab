package main

import (
	"encoding/json"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/meshc-dev/meshc/internal/cli"
	"github.com/meshc-dev/meshc/pkg/github/githubtest"
)

func TestMain(m *testing.M) {
	testscript.Main(withCluster{m}, map[string]func(){
		"meshc": func() { os.Exit(cli.Main()) },
	})
}

// TestScripts runs the end-to-end scripts in testdata/script: each is a
// txtar archive of files and meshc commands with their expected output.
// $EXAMPLE is a fresh copy of catalog-example/ for every script.
// UPDATE_GOLDEN=1 rewrites the expected output in the scripts.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:           "testdata/script",
		UpdateScripts: os.Getenv("UPDATE_GOLDEN") != "",
		Cmds: map[string]func(*testscript.TestScript, bool, []string){
			"exits": exits, "replace": replace, "github-fake": githubFake, "hung-remote": hungRemote,
			"pg-db": pgDB, "pg-exec": pgExec, "free-port": freePort, "http-post": httpPost,
		},
		Condition: condition,
		Setup: func(env *testscript.Env) error {
			example := filepath.Join(env.WorkDir, "example")
			if err := os.CopyFS(example, os.DirFS("../../catalog-example")); err != nil {
				return err
			}
			// make example leaves a live catalog behind; start from none.
			if err := os.RemoveAll(filepath.Join(example, ".meshc")); err != nil {
				return err
			}
			env.Setenv("EXAMPLE", example)
			return nil
		},
	})
}

// exits runs a program and checks its exit code: "exits 3 meshc validate".
// Its output is kept for stdout and stderr checks, like exec's.
func exits(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exits CODE PROGRAM [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exits: bad code %q", args[0])
	}
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("exits: %v", err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("exit code %d, want %d", got, want)
	}
}

// replace edits a file in place: "replace FILE OLD NEW" replaces every OLD
// with NEW, and fails when OLD is not there, so a script cannot silently
// stop testing what it meant to. In OLD and NEW, \n stands for a newline.
func replace(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: replace FILE OLD NEW")
	}
	name := ts.MkAbs(args[0])
	data, err := os.ReadFile(name)
	ts.Check(err)
	unescape := strings.NewReplacer(`\n`, "\n", `\t`, "\t").Replace
	old, repl := unescape(args[1]), unescape(args[2])
	if !strings.Contains(string(data), old) {
		ts.Fatalf("replace: %s does not contain %q", args[0], old)
	}
	ts.Check(os.WriteFile(name, []byte(strings.ReplaceAll(string(data), old, repl)), 0o644))
}

// hungRemote starts a loopback TCP server that accepts every connection
// and never answers, as a git remote whose backend is stuck, for the rest
// of the script, and exports its host:port as $HUNG.
func hungRemote(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: hung-remote")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	ts.Check(err)
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	ts.Defer(func() {
		l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	ts.Setenv("HUNG", l.Addr().String())
}

var (
	fakesMu sync.Mutex
	fakes   = map[*testscript.TestScript]*githubtest.Server{}
)

// githubFake runs a fake GitHub API for a script, as Actions would see it:
//
//	github-fake start        start it; export GITHUB_API_URL and the rest
//	                         of a simulated Actions environment
//	github-fake readonly     make every write fail with 403, as a fork's token
//	github-fake dump FILE    write its comments (of PR 12) and check runs to
//	                         FILE as JSON, for grep
func githubFake(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) == 0 {
		ts.Fatalf("usage: github-fake start|readonly|dump FILE")
	}
	fakesMu.Lock()
	defer fakesMu.Unlock()
	srv := fakes[ts]
	if args[0] != "start" && srv == nil {
		ts.Fatalf("github-fake: not started")
	}
	switch args[0] {
	case "start":
		srv = githubtest.NewServer()
		fakes[ts] = srv
		ts.Defer(func() {
			fakesMu.Lock()
			delete(fakes, ts)
			fakesMu.Unlock()
			srv.Close()
		})
		work := ts.Getenv("WORK")
		for k, v := range map[string]string{
			"GITHUB_ACTIONS": "true", "GITHUB_API_URL": srv.APIURL(), "GITHUB_SERVER_URL": srv.URL,
			"GITHUB_REPOSITORY": "acme/orders-data", "GITHUB_TOKEN": "ghs_test", "GITHUB_RUN_ID": "4242",
			"GITHUB_SHA": "1111111111111111111111111111111111111111", "GITHUB_WORKSPACE": work,
			"GITHUB_STEP_SUMMARY": filepath.Join(work, "step-summary.md"), "GITHUB_OUTPUT": filepath.Join(work, "github-output.txt"),
			"RUNNER_TEMP": work,
		} {
			ts.Setenv(k, v)
		}
	case "readonly":
		srv.SetReadOnly(true)
	case "dump":
		if len(args) != 2 {
			ts.Fatalf("usage: github-fake dump FILE")
		}
		var b strings.Builder
		enc := json.NewEncoder(&b)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		ts.Check(enc.Encode(map[string]any{"comments": srv.Comments(12), "check_runs": srv.CheckRuns()}))
		ts.Check(os.WriteFile(ts.MkAbs(args[1]), []byte(b.String()), 0o644))
	default:
		ts.Fatalf("github-fake: unknown subcommand %q", args[0])
	}
}
