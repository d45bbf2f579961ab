package cli

import (
	"context"

	"github.com/meshc-dev/meshc/pkg/render"
)

func runCatalog(ctx context.Context, e *Env, args []string) error {
	if len(args) == 0 || args[0] != "show" {
		if len(args) > 0 && (args[0] == "--help" || args[0] == "-h" || args[0] == "-help") {
			e.flags("catalog show").help(e.Stdout)
			return errHelp
		}
		return usageError("catalog: want a subcommand: meshc catalog show [flags]")
	}
	fs := e.flags("catalog show")
	m := fs.mesh()
	out := fs.format(render.KindCatalog, "text", false)
	if err := fs.parseNone(args[1:]); err != nil {
		return err
	}
	eng, err := e.open(m, nil)
	if err != nil {
		return err
	}
	live, err := eng.Live(ctx)
	if err != nil {
		return err
	}
	return out.format.(render.CatalogFormat).Catalog(e.Stdout, live, out.opts(""))
}

func runHistory(ctx context.Context, e *Env, args []string) error {
	fs := e.flags("history")
	m := fs.mesh()
	out := fs.format(render.KindHistory, "text", false)
	if err := fs.parseNone(args); err != nil {
		return err
	}
	eng, err := e.open(m, nil)
	if err != nil {
		return err
	}
	entries, err := eng.History(ctx)
	if err != nil {
		return err
	}
	return out.format.(render.HistoryFormat).History(e.Stdout, entries, out.opts(""))
}
