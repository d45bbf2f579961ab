package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/meshc-dev/meshc/pkg/catalog"
	"github.com/meshc-dev/meshc/pkg/export"
	"github.com/meshc-dev/meshc/pkg/odcs"
	"github.com/meshc-dev/meshc/pkg/render"
)

func runImport(_ context.Context, e *Env, args []string) error {
	if len(args) == 0 || args[0] != "odcs" {
		if len(args) > 0 && (args[0] == "--help" || args[0] == "-h" || args[0] == "-help") {
			e.flags("import odcs").help(e.Stdout)
			return errHelp
		}
		return usageError("import: want a standard: meshc import odcs [flags] FILE...")
	}
	fs := e.flags("import odcs")
	domain := fs.String("domain", "", "the meshc domain `NAME` the contracts' products join (required)")
	product := fs.String("product", "", "put every contract into the one product `NAME` (default: one product per contract)")
	out := fs.String("out", "", "the domain `DIR` to write (default: ./NAME of --domain)")
	format := fs.String("format", "text", "output `format`: text|json")
	strict := fs.Bool("strict", false, "fail (exit 1), writing nothing, when meshc's model cannot hold every field")
	force := fs.Bool("force", false, "overwrite files that already exist in --out")
	fs.checks = append(fs.checks, func() error {
		e.jsonErrors = *format == "json"
		if *format != "text" && *format != "json" {
			return usageError(fmt.Sprintf("unknown --format %q: use text|json", *format))
		}
		return nil
	})
	files, err := fs.parse(args[1:])
	switch {
	case err != nil:
		return err
	case *domain == "":
		return fs.usageErr("needs --domain NAME: the domain the products join")
	case len(files) == 0:
		return fs.usageErr("needs at least one contract FILE")
	}
	var inputs []odcs.Input
	for _, f := range files {
		st, err := os.Stat(f)
		if err == nil && st.Size() > odcs.MaxFileSize {
			return fmt.Errorf("%s: %d bytes is more than the %d meshc reads from a contract", f, st.Size(), odcs.MaxFileSize)
		}
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		inputs = append(inputs, odcs.Input{Name: f, Data: b})
	}
	res, err := odcs.Import(inputs, odcs.Options{Domain: *domain, Product: *product})
	if err != nil {
		return err
	}
	printLosses(e.Stderr, "import odcs", res.Losses)
	if *strict && len(res.Losses) > 0 {
		fmt.Fprintf(e.Stderr, "meshc: --strict: meshc's model cannot hold %d field(s); nothing was written\n", len(res.Losses))
		return exitStatus(ExitInvalid)
	}
	dir := *out
	if dir == "" {
		dir = *domain
	}
	if err := writeFiles(dir, res.Files, *force); err != nil {
		return err
	}
	names := catalog.SortedKeys(res.Files)
	if *format == "json" {
		v := importJSON{Domain: *domain, Out: dir, Files: names, Losses: res.Losses}
		for _, p := range res.Products {
			v.Products = append(v.Products, p.ID)
		}
		if v.Losses == nil {
			v.Losses = export.Report{}
		}
		if err := render.JSON(e.Stdout, v); err != nil {
			return err
		}
		return nil
	}
	fmt.Fprintf(e.Stdout, "Imported %d contract(s) as %d product(s) of domain %s into %s:\n", len(inputs), len(res.Products), *domain, dir)
	for _, n := range names {
		fmt.Fprintf(e.Stdout, "  %s\n", filepath.Join(dir, n))
	}
	fmt.Fprintf(e.Stdout, "Add it to mesh.cue (domains: %s: {path: %q}) and run meshc validate.\n", *domain, "./"+filepath.ToSlash(dir))
	return nil
}

// importJSON is import's --format json output.
type importJSON struct {
	Domain   string        `json:"domain"`
	Out      string        `json:"out"`
	Products []string      `json:"products"`
	Files    []string      `json:"files"`
	Losses   export.Report `json:"losses"`
}
