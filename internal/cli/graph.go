package cli

import (
	"context"
	"fmt"

	"github.com/meshc-dev/meshc/pkg/catalog"
	"github.com/meshc-dev/meshc/pkg/engine"
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
	mesh, invalid, err := e.meshOf(ctx, eng, *live, "the graph shows its valid products only")
	if err != nil {
		return err
	}
	if err := out.format.(render.GraphFormat).Graph(e.Stdout, mesh, out.opts("")); err != nil {
		return err
	}
	if invalid {
		return exitStatus(ExitInvalid)
	}
	return nil
}

// meshOf returns the mesh of the sources (or, with live, the live
// catalog) for a command that shows it whole. When the mesh has errors
// they are printed with then, what the command does about it, and
// invalid is true: the command exits 1 once it has done so.
func (e *Env) meshOf(ctx context.Context, eng *engine.Engine, live bool, then string) (mesh *catalog.Mesh, invalid bool, err error) {
	mesh, ds, err := eng.Mesh(ctx, live)
	if err != nil || !ds.HasErrors() {
		return mesh, false, err
	}
	for _, d := range ds {
		fmt.Fprintln(e.Stderr, render.DiagnosticLine(d))
	}
	fmt.Fprintln(e.Stderr, "meshc: the mesh has errors; "+then)
	return mesh, true, nil
}
