package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/meshc-dev/meshc/pkg/catalog"
	"github.com/meshc-dev/meshc/pkg/export"
	"github.com/meshc-dev/meshc/pkg/render"
)

func runExport(ctx context.Context, e *Env, args []string) error {
	fs := e.flags("export")
	m, l := fs.mesh(), fs.load(true)
	names := export.Names()
	format := fs.String("format", names[0], "the `standard` to export to: "+strings.Join(names, "|"))
	out := fs.String("out", "", "write the files into `DIR` (default: print them on stdout)")
	live := fs.Bool("live", false, "export the live catalog instead of the mesh's sources")
	asJSON := fs.Bool("json", false, "write JSON instead of YAML, and print the result (files and losses) as one JSON object")
	strict := fs.Bool("strict", false, "fail (exit 1), writing nothing, when the format cannot carry every field")
	fs.checks = append(fs.checks, func() error {
		e.jsonErrors = *asJSON
		if !slices.Contains(names, *format) {
			return usageError(fmt.Sprintf("unknown --format %q: use %s", *format, strings.Join(names, "|")))
		}
		return nil
	})
	if err := fs.parseNone(args); err != nil {
		return err
	}
	if *live && len(l.domains.m) > 0 {
		return fs.usageErr("--live exports the live catalog: --domain does not go with it")
	}
	eng, err := e.open(m, l)
	if err != nil {
		return err
	}
	mesh, invalid, err := e.meshOf(ctx, eng, *live, "fix them before exporting it")
	if err != nil {
		return err
	}
	if invalid {
		return exitStatus(ExitInvalid)
	}
	res, err := export.Export(mesh, *format, export.Options{JSON: *asJSON})
	if err != nil {
		return err
	}
	printLosses(e.Stderr, "export --format "+*format, res.Losses)
	if *strict && len(res.Losses) > 0 {
		fmt.Fprintf(e.Stderr, "meshc: --strict: %s cannot carry %d field(s); nothing was written\n", *format, len(res.Losses))
		return exitStatus(ExitInvalid)
	}
	if *out != "" {
		if err := writeFiles(*out, res.Files, true); err != nil {
			return err
		}
	}
	switch {
	case *asJSON:
		v := exportJSON{Format: *format, Out: *out, Losses: res.Losses}
		if v.Losses == nil {
			v.Losses = export.Report{}
		}
		if *out != "" {
			v.Files = catalog.SortedKeys(res.Files)
		} else {
			docs := map[string]json.RawMessage{}
			for name, b := range res.Files {
				docs[name] = b
			}
			v.Files = docs
		}
		if err := render.JSON(e.Stdout, v); err != nil {
			return err
		}
	case *out != "":
		fmt.Fprintf(e.Stdout, "Wrote %d %s files to %s\n", len(res.Files), *format, *out)
	default:
		for i, name := range catalog.SortedKeys(res.Files) {
			if i > 0 {
				fmt.Fprintln(e.Stdout, "---")
			}
			fmt.Fprintf(e.Stdout, "# %s\n", name)
			e.Stdout.Write(res.Files[name])
		}
	}
	return nil
}

// exportJSON is export's --json output.
type exportJSON struct {
	Format string        `json:"format"`
	Out    string        `json:"out,omitempty"`
	Files  any           `json:"files"` // names with --out, else name → document
	Losses export.Report `json:"losses"`
}

// printLosses lists a loss report on w, product by product.
func printLosses(w io.Writer, what string, losses export.Report) {
	if len(losses) == 0 {
		return
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "meshc %s: %d field(s) not carried as they were:\n", what, len(losses))
	last := ""
	for _, l := range losses {
		if l.Product != last {
			fmt.Fprintf(&b, "  %s\n", l.Product)
			last = l.Product
		}
		fmt.Fprintf(&b, "    %s: %s: %s\n", l.Path, l.Kind, l.Message)
	}
	w.Write(b.Bytes())
}

// writeFiles writes files (slash-separated names) under dir; without
// overwrite, it refuses, before writing anything, when a file exists.
func writeFiles(dir string, files map[string][]byte, overwrite bool) error {
	names := catalog.SortedKeys(files)
	for _, name := range names {
		if !filepath.IsLocal(filepath.FromSlash(name)) || strings.Contains(name, "\\") {
			return fmt.Errorf("refusing to write %q outside %s", name, dir)
		}
		if !overwrite {
			if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(name))); err == nil {
				return fmt.Errorf("%s already exists: remove it, choose another --out, or pass --force", filepath.Join(dir, filepath.FromSlash(name)))
			}
		}
	}
	for _, name := range names {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, files[name], 0o644); err != nil {
			return err
		}
	}
	return nil
}
