package cli

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/meshc-dev/meshc/pkg/check"
	"github.com/meshc-dev/meshc/pkg/config"
	"github.com/meshc-dev/meshc/pkg/mesh"
	"github.com/meshc-dev/meshc/pkg/plan"
	"github.com/meshc-dev/meshc/pkg/render"
)

// common holds the flags every mesh-reading command shares.
type common struct {
	config string
	format string

	formats []string
}

func (c *common) register(fs *flag.FlagSet, formats ...string) {
	fs.StringVar(&c.config, "config", config.DefaultFile, "the platform's mesh `file`")
	fs.StringVar(&c.format, "format", formats[0], "output `format`: "+joinOr(formats))
	c.formats = formats
}

func joinOr(s []string) string { return strings.Join(s, "|") }

func runValidate(ctx context.Context, e *Env, args []string) int {
	fs := e.flags("validate", "[flags]", "load, evaluate and check the mesh")
	var c common
	c.register(fs, "text", "json")
	if code, ok := e.parse(fs, args); !ok {
		return code
	}
	if err := c.checkFormat(); err != nil {
		return e.fail(err)
	}
	cfg, err := config.Load(c.config)
	if err != nil {
		return e.fail(err)
	}
	res, err := mesh.Load(ctx, cfg, mesh.Options{})
	if err != nil {
		return e.fail(err)
	}
	v := render.NewValidation(len(res.Mesh.Domains), len(res.Mesh.Products), res.Diagnostics)
	if c.format == "json" {
		err = render.JSON(e.Stdout, v)
	} else {
		err = render.ValidationText(e.Stdout, v)
	}
	if err != nil {
		return e.fail(err)
	}
	if !v.Valid {
		return ExitInvalid
	}
	return ExitOK
}

func runRules(_ context.Context, e *Env, args []string) int {
	fs := e.flags("rules", "[flags]", "list every rule with its ID and purpose")
	format := fs.String("format", "text", "output `format`: text|json")
	if code, ok := e.parse(fs, args); !ok {
		return code
	}
	type rule struct{ ID, Stage, Purpose string }
	var rules []rule
	for _, r := range check.Rules() {
		rules = append(rules, rule{r.ID, r.Stage, r.Purpose})
	}
	for _, r := range plan.Rules() {
		rules = append(rules, rule{r.ID, r.Stage, r.Purpose})
	}
	switch *format {
	case "json":
		if err := render.JSON(e.Stdout, rules); err != nil {
			return e.fail(err)
		}
	case "text":
		for _, r := range rules {
			fmt.Fprintf(e.Stdout, "%-18s %-8s %s\n", r.ID, r.Stage, r.Purpose)
		}
	default:
		return e.fail(fmt.Errorf("unknown --format %q: use text or json", *format))
	}
	return ExitOK
}

func (c *common) checkFormat() error {
	for _, f := range c.formats {
		if c.format == f {
			return nil
		}
	}
	return fmt.Errorf("unknown --format %q: use %s", c.format, joinOr(c.formats))
}
