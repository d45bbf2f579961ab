package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/meshc-dev/meshc/pkg/config"
	"github.com/meshc-dev/meshc/pkg/diag"
	gh "github.com/meshc-dev/meshc/pkg/github"
	"github.com/meshc-dev/meshc/pkg/plan"
)

// githubFlags are the flags that tune --github.
type githubFlags struct {
	timeout time.Duration
	user    string
}

// githubOptions adds --github-timeout and --github-user beside --github.
func (fs *flagSet) githubOptions() {
	g := &fs.e.gh
	fs.DurationVar(&g.timeout, "github-timeout", gh.DefaultTimeout, "give up on a GitHub API request that has not answered within `duration`")
	fs.StringVar(&g.user, "github-user", "", "the `login` of the token's account, whose comment is the sticky one (default: asked of GitHub)")
	fs.checks = append(fs.checks, func() error {
		if g.timeout <= 0 {
			return fs.usageErr("--github-timeout must be positive, got %s", g.timeout)
		}
		return nil
	})
}

// reporter publishes a run to GitHub, with --github in Actions: the
// sticky pull-request comment, the check run with annotations, the job
// summary and the step outputs.
type reporter struct {
	env    *gh.Env
	resume func()
}

// startGitHub reads the Actions environment when --github is set; nil
// otherwise. From here until publish, what meshc prints cannot pass for a
// workflow command: it holds text from the pull request.
func startGitHub(e *Env, on bool) (*reporter, error) {
	if !on {
		return nil, nil
	}
	env, err := gh.LoadEnv(e.Getenv)
	if err != nil {
		return nil, fmt.Errorf("--github: %w", err)
	}
	env.Stdout = e.Stdout
	return &reporter{env: env, resume: gh.StopCommands(e.Stdout)}, nil
}

// publish reports the run and returns status, the run's own outcome, or
// an error when GitHub could not be told (a token that may not write
// degrades to workflow commands instead, which is no failure).
func (r *reporter) publish(ctx context.Context, e *Env, status error, kind string, cfg *config.Config, p *plan.Plan, ds diag.Diagnostics) error {
	if r == nil {
		return status
	}
	r.resume()
	client, err := gh.NewClient(r.env, gh.Options{Timeout: e.gh.timeout, User: e.gh.user})
	if err != nil {
		return fmt.Errorf("--github: %w", err)
	}
	if ds == nil && p != nil {
		ds = p.Diagnostics
	}
	res, err := client.Publish(ctx, r.env, gh.Report{
		Kind:        kind,
		Mesh:        cfg.Platform.Name,
		Plan:        p,
		Diagnostics: ds,
		Failed:      ds.HasErrors(),
	})
	for _, note := range res.Notes {
		fmt.Fprintf(e.Stderr, "meshc: %s\n", note)
	}
	if err != nil {
		return fmt.Errorf("--github: %w", err)
	}
	return status
}
