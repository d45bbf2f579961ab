package cli

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"github.com/meshc-dev/meshc/pkg/config"
	"github.com/meshc-dev/meshc/pkg/diag"
	gh "github.com/meshc-dev/meshc/pkg/github"
	"github.com/meshc-dev/meshc/pkg/plan"
	"github.com/meshc-dev/meshc/pkg/scaffold"
)

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

// publish reports the run; it returns code, or ExitFailure when GitHub
// could not be told (a token that may not write degrades to workflow
// commands instead, which is no failure).
func (r *reporter) publish(ctx context.Context, e *Env, code int, kind string, cfg *config.Config, p *plan.Plan, ds diag.Diagnostics) int {
	if r == nil {
		return code
	}
	r.resume()
	client, err := gh.NewClient(r.env, gh.Options{})
	if err != nil {
		return e.fail(fmt.Errorf("--github: %w", err))
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
		return e.fail(fmt.Errorf("--github: %w", err))
	}
	return code
}

func runInit(_ context.Context, e *Env, args []string) int {
	fs := e.flags("init")
	var o scaffold.Options
	dir := fs.String("dir", ".", "write the domain repository's files into `DIR`")
	fs.StringVar(&o.Domain, "domain", "", "the domain's `name` in the platform's mesh.cue (required)")
	fs.StringVar(&o.Team, "team", "", "the owning team's `name` (required)")
	fs.StringVar(&o.GitHub, "github", "", "the team's GitHub `handle`, e.g. @acme/orders (required)")
	fs.StringVar(&o.Email, "email", "", "the team's shared `mailbox`")
	fs.StringVar(&o.PlatformRepo, "platform-repo", "", "the platform repository `owner/name` whose mesh.cue lists the domain (required)")
	if code, ok := e.parse(fs, args); !ok {
		return code
	}
	if Version != "dev" {
		o.MeshcVersion = Version
	}
	files, err := scaffold.Domain(o)
	if err != nil {
		return e.fail(err)
	}
	names := slices.Sorted(maps.Keys(files))
	for _, name := range names {
		if _, err := os.Stat(filepath.Join(*dir, name)); err == nil {
			return e.fail(fmt.Errorf("%s exists already: meshc init writes a new domain repository and overwrites nothing", filepath.Join(*dir, name)))
		}
	}
	for _, name := range names {
		p := filepath.Join(*dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return e.fail(err)
		}
		if err := os.WriteFile(p, files[name], 0o644); err != nil {
			return e.fail(err)
		}
		fmt.Fprintf(e.Stdout, "wrote %s\n", p)
	}
	fmt.Fprintf(e.Stdout, "\nNext: ask the platform team to add domain %s to mesh.cue in %s, describe your products in %s, and open a pull request.\n",
		o.Domain, o.PlatformRepo, scaffold.ProductsFile)
	return ExitOK
}
