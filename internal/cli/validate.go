package cli

import (
	"context"

	"github.com/meshc-dev/meshc/pkg/render"
)

func runValidate(ctx context.Context, e *Env, args []string) int {
	fs := e.flags("validate")
	var c common
	c.register(fs, "text", "json")
	c.registerGitHub(fs)
	if code, ok := e.parseCommon(fs, &c, args); !ok {
		return code
	}
	gh, err := startGitHub(e, c.github)
	if err != nil {
		return e.fail(err)
	}
	l, err := c.load(ctx, e, false, false)
	if err != nil {
		return e.fail(err)
	}
	res := l.res
	res.Diagnostics = waive(e, l.cfg, res.Diagnostics, res.WaiverScope(liveProducts(ctx, l)))
	v := render.NewValidation(len(res.Mesh.Domains), len(res.Mesh.Products), res.Diagnostics)
	if c.format == "json" {
		err = render.JSON(e.Stdout, v)
	} else {
		err = render.ValidationText(e.Stdout, v)
	}
	if err != nil {
		return e.fail(err)
	}
	code := ExitOK
	if !v.Valid {
		code = ExitInvalid
	}
	return gh.publish(ctx, e, code, "validate", l.cfg, nil, res.Diagnostics)
}
