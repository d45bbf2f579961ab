package cli

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/meshc-dev/meshc/pkg/catalog"
	"github.com/meshc-dev/meshc/pkg/config"
	"github.com/meshc-dev/meshc/pkg/render"
	"github.com/meshc-dev/meshc/pkg/state"
)

// readLive opens the live catalog named by the flags.
func readLive(ctx context.Context, c *common) (*state.Catalog, error) {
	cfg, err := config.Load(c.config)
	if err != nil {
		return nil, err
	}
	st, err := c.store(cfg)
	if err != nil {
		return nil, err
	}
	return st.Read(ctx)
}

func runCatalog(ctx context.Context, e *Env, args []string) int {
	if len(args) == 0 || args[0] != "show" {
		fmt.Fprintln(e.Stderr, "Usage: meshc catalog show [flags]")
		return ExitFailure
	}
	fs := e.flags("catalog show")
	var c common
	c.register(fs, "text", "json")
	if code, ok := e.parseCommon(fs, &c, args[1:]); !ok {
		return code
	}
	live, err := readLive(ctx, &c)
	if err != nil {
		return e.fail(err)
	}
	if c.format == "json" {
		if err := render.JSON(e.Stdout, live); err != nil {
			return e.fail(err)
		}
		return ExitOK
	}
	if live.Serial == 0 {
		fmt.Fprintln(e.Stdout, "The live catalog is empty: run meshc apply to publish the mesh.")
		return ExitOK
	}
	fmt.Fprintf(e.Stdout, "Live catalog: serial %d, lineage %s, %d products in %d domains\n\n",
		live.Serial, live.Lineage, len(live.Products), len(live.Domains))
	tw := tabwriter.NewWriter(e.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PRODUCT\tVERSION\tSTATUS\tTEAM\tOUTPUT PORTS\tINPUTS")
	for _, id := range catalog.SortedKeys(live.Products) {
		p := live.Products[id]
		team := ""
		if d := live.Domains[p.Domain]; d != nil {
			team = d.Team.GitHub
		}
		var inputs []string
		for _, name := range catalog.SortedKeys(p.InputPorts) {
			inputs = append(inputs, p.InputPorts[name].Product)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", id, p.Version, p.Status, team,
			strings.Join(catalog.SortedKeys(p.OutputPorts), ","), orDash(strings.Join(inputs, ",")))
	}
	tw.Flush()
	return ExitOK
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func runHistory(ctx context.Context, e *Env, args []string) int {
	fs := e.flags("history")
	var c common
	c.register(fs, "text", "json")
	if code, ok := e.parseCommon(fs, &c, args); !ok {
		return code
	}
	live, err := readLive(ctx, &c)
	if err != nil {
		return e.fail(err)
	}
	entries := make([]state.Entry, 0, len(live.History))
	for i := len(live.History) - 1; i >= 0; i-- {
		entries = append(entries, live.History[i])
	}
	if c.format == "json" {
		if err := render.JSON(e.Stdout, entries); err != nil {
			return e.fail(err)
		}
		return ExitOK
	}
	if len(entries) == 0 {
		fmt.Fprintln(e.Stdout, "No plan has been applied yet.")
		return ExitOK
	}
	tw := tabwriter.NewWriter(e.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SERIAL\tAPPLIED\tBY\tCREATE\tUPDATE\tDELETE\tBREAKING\tSOURCES")
	for _, h := range entries {
		var srcs []string
		for _, name := range catalog.SortedKeys(h.Sources) {
			s := h.Sources[name]
			rev := s.Commit
			if len(rev) > 12 {
				rev = rev[:12]
			}
			if rev == "" {
				rev = s.Path
			}
			srcs = append(srcs, name+"@"+rev)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%d\t%d\t%d\t%s\n", h.Serial, h.Time.UTC().Format(time.RFC3339), h.User,
			h.Summary.Create, h.Summary.Update, h.Summary.Delete, h.Summary.Breaking, strings.Join(srcs, " "))
	}
	tw.Flush()
	return ExitOK
}

func runGraph(ctx context.Context, e *Env, args []string) int {
	fs := e.flags("graph")
	var c common
	c.register(fs, "mermaid", "dot", "json")
	live := fs.Bool("live", false, "draw the live catalog instead of the mesh's sources")
	if code, ok := e.parseCommon(fs, &c, args); !ok {
		return code
	}
	var m *catalog.Mesh
	exit := ExitOK
	if *live {
		lc, err := readLive(ctx, &c)
		if err != nil {
			return e.fail(err)
		}
		m = &catalog.Mesh{Domains: lc.Domains, Products: lc.Products}
	} else {
		l, err := c.load(ctx, e, false, false)
		if err != nil {
			return e.fail(err)
		}
		res := l.res
		if res.Diagnostics.HasErrors() {
			for _, d := range res.Diagnostics {
				fmt.Fprintln(e.Stderr, render.DiagnosticLine(d))
			}
			fmt.Fprintln(e.Stderr, "meshc: the mesh has errors; the graph shows its valid products only")
			exit = ExitInvalid
		}
		m = res.Mesh
	}
	var err error
	switch c.format {
	case "dot":
		err = render.DOT(e.Stdout, m)
	case "json":
		err = render.JSON(e.Stdout, render.LineageOf(m))
	default:
		err = render.Mermaid(e.Stdout, m)
	}
	if err != nil {
		return e.fail(err)
	}
	return exit
}
