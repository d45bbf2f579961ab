package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/meshc-dev/meshc/pkg/engine"
	"github.com/meshc-dev/meshc/pkg/render"
	meshusage "github.com/meshc-dev/meshc/pkg/usage"
)

func runUsage(ctx context.Context, e *Env, args []string) error {
	if len(args) > 0 {
		switch args[0] {
		case "ingest":
			return runUsageIngest(ctx, e, args[1:])
		case "serve":
			return runUsageServe(ctx, e, args[1:])
		}
	}
	eng, out, product, domain, err := e.report("usage", render.KindUsage, args)
	if err != nil {
		return err
	}
	u, err := eng.Usage(ctx, engine.UsageOptions{Product: product, Domain: domain})
	if err != nil {
		return err
	}
	return out.format.(render.UsageFormat).Usage(e.Stdout, u, out.opts(""))
}

func runUsageIngest(ctx context.Context, e *Env, args []string) error {
	fs := e.flags("usage")
	fs.cmd.name, fs.cmd.args, fs.cmd.summary = "usage ingest", "[flags] [FILE|-]", "count OpenLineage run events (NDJSON) into the live catalog's usage"
	fs.Init("usage ingest", 0)
	m := fs.mesh()
	asJSON := fs.Bool("json", false, "print the result as JSON")
	rest, err := fs.parse(args)
	if err != nil {
		return err
	}
	if len(rest) > 1 {
		return fs.usageErr("want one FILE, or - (the default) for stdin")
	}
	var in io.Reader = e.Stdin
	name := "stdin"
	if len(rest) == 1 && rest[0] != "-" {
		f, err := os.Open(rest[0])
		if err != nil {
			return err
		}
		defer f.Close()
		in, name = f, rest[0]
	}
	eng, err := e.open(m, nil)
	if err != nil {
		return err
	}
	ing, err := eng.Ingester(ctx)
	if err != nil {
		return err
	}
	res, err := ing.Ingest(ctx, in)
	if err != nil {
		return err
	}
	if *asJSON {
		return render.JSON(e.Stdout, res)
	}
	fmt.Fprintf(e.Stdout, "Ingested %s: %d events, %d counted (%d new), %d skipped (not COMPLETE or FAIL), %d matching no port, %d malformed; %d unknown jobs.\n",
		name, res.Events, res.Counted, res.Added, res.Skipped, res.Unmatched, res.Malformed, res.UnknownJobs)
	for _, p := range res.Problems {
		fmt.Fprintf(e.Stdout, "  %s:%d: %s\n", name, p.Line, p.Reason)
	}
	if n := res.Malformed - len(res.Problems); n > 0 {
		fmt.Fprintf(e.Stdout, "  ... and %d more malformed events\n", n)
	}
	return nil
}

func runUsageServe(ctx context.Context, e *Env, args []string) error {
	fs := e.flags("usage")
	fs.cmd.name, fs.cmd.args, fs.cmd.summary = "usage serve", "[flags]", "serve POST "+meshusage.LineagePath+" (OpenLineage's HTTP transport) into the live catalog's usage"
	fs.Init("usage serve", 0)
	m := fs.mesh()
	addr := fs.String("addr", "127.0.0.1:5000", "listen on `host:port`")
	if err := fs.parseNone(args); err != nil {
		return err
	}
	eng, err := e.open(m, nil)
	if err != nil {
		return err
	}
	ing, err := eng.Ingester(ctx)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: meshusage.Mux(ing), ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(e.Stderr, "meshc: serving POST http://%s%s\n", ln.Addr(), meshusage.LineagePath)
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shut)
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func runScore(ctx context.Context, e *Env, args []string) error {
	eng, out, product, domain, err := e.report("score", render.KindScore, args)
	if err != nil {
		return err
	}
	s, err := eng.Score(ctx, engine.ScoreOptions{Product: product, Domain: domain})
	if err != nil {
		return err
	}
	return out.format.(render.ScoreFormat).Scores(e.Stdout, s, out.opts(""))
}

// report parses the flags of a report on the live catalog narrowed to
// [PRODUCT] or --domain (usage, score) and opens the engine.
func (e *Env) report(name string, kind render.Kind, args []string) (eng *engine.Engine, out *output, product, domain string, err error) {
	fs := e.flags(name)
	m := fs.mesh()
	dom := fs.String("domain", "", "only the products of domain `NAME`")
	out = fs.format(kind, "text", false)
	rest, err := fs.parse(args)
	if err != nil {
		return nil, nil, "", "", err
	}
	if len(rest) > 1 {
		return nil, nil, "", "", fs.usageErr("want at most one PRODUCT (domain.product), got %d arguments", len(rest))
	}
	if len(rest) == 1 {
		product = rest[0]
	}
	eng, err = e.open(m, nil)
	return eng, out, product, *dom, err
}
