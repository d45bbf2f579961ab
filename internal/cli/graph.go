package cli

import (
	"context"
	"fmt"

	"github.com/meshc-dev/meshc/pkg/render"
)

func runGraph(ctx context.Context, e *Env, args []string) error {
	fs := e.flags("graph")
	m, l := fs.mesh(), fs.load(true)
	out := fs.format(render.KindGraph, "mermaid", false)
	live := fs.Bool("live", false, "draw the live catalog instead of the mesh's sources")
	if err := fs.parseNone(args); err != nil {
		return err
	}
	if *live && len(l.domains.m) > 0 {
		return fs.usageErr("--live draws the live catalog: --domain does not go with it")
	}
	eng, err := e.open(m, l)
	if err != nil {
		return err
	}
	mesh, ds, err := eng.Mesh(ctx, *live)
	if err != nil {
		return err
	}
	var status error
	if ds.HasErrors() {
		for _, d := range ds {
			fmt.Fprintln(e.Stderr, render.DiagnosticLine(d))
		}
		fmt.Fprintln(e.Stderr, "meshc: the mesh has errors; the graph shows its valid products only")
		status = exitStatus(ExitInvalid)
	}
	if err := out.format.(render.GraphFormat).Graph(e.Stdout, mesh, out.opts("")); err != nil {
		return err
	}
	return status
}
