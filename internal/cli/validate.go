package cli

import (
	"context"

	"github.com/meshc-dev/meshc/pkg/render"
)

func runValidate(ctx context.Context, e *Env, args []string) error {
	fs := e.flags("validate")
	m, l := fs.mesh(), fs.load(true)
	out := fs.format(render.KindValidation, "text", false)
	github := fs.github()
	if err := fs.parseNone(args); err != nil {
		return err
	}
	rep, err := startGitHub(e, *github)
	if err != nil {
		return err
	}
	eng, err := e.open(m, l)
	if err != nil {
		return err
	}
	v, err := eng.Validate(ctx)
	if err != nil {
		return err
	}
	cfg := eng.Config()
	if err := out.format.(render.ValidationFormat).Validation(e.Stdout, v, out.opts(title("validate", cfg))); err != nil {
		return err
	}
	var status error
	if !v.Valid {
		status = exitStatus(ExitInvalid)
	}
	return rep.publish(ctx, e, status, "validate", cfg, nil, v.Diagnostics)
}
