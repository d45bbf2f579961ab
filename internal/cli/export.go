package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/meshc-dev/meshc/pkg/catalog"
	"github.com/meshc-dev/meshc/pkg/export"
	"github.com/meshc-dev/meshc/pkg/render"
)

func runExport(ctx context.Context, e *Env, args []string) int {
	fs := e.flags("export")
	var c common
	c.register(fs, export.Names()...)
	out := fs.String("out", "", "write the files into `DIR` (default: print them on stdout)")
	live := fs.Bool("live", false, "export the live catalog instead of the mesh's sources")
	asJSON := fs.Bool("json", false, "write JSON instead of YAML, and print the result (files and losses) as one JSON object")
	strict := fs.Bool("strict", false, "fail (exit 1), writing nothing, when the format cannot carry every field")
	if code, ok := e.parseCommon(fs, &c, args); !ok {
		return code
	}
	var m *catalog.Mesh
	if *live {
		lc, err := readLive(ctx, &c)
		if err != nil {
			return e.fail(err)
		}
		m = lc.Mesh()
	} else {
		l, err := c.load(ctx, e, false, false)
		if err != nil {
			return e.fail(err)
		}
		if l.res.Diagnostics.HasErrors() {
			for _, d := range l.res.Diagnostics {
				fmt.Fprintln(e.Stderr, render.DiagnosticLine(d))
			}
			fmt.Fprintln(e.Stderr, "meshc: the mesh has errors; fix them before exporting it")
			return ExitInvalid
		}
		m = l.res.Mesh
	}
	res, err := export.Export(m, c.format, export.Options{JSON: *asJSON})
	if err != nil {
		return e.fail(err)
	}
	printLosses(e.Stderr, "export --format "+c.format, res.Losses)
	if *strict && len(res.Losses) > 0 {
		fmt.Fprintf(e.Stderr, "meshc: --strict: %s cannot carry %d field(s); nothing was written\n", c.format, len(res.Losses))
		return ExitInvalid
	}
	if *out != "" {
		if err := writeFiles(*out, res.Files, true); err != nil {
			return e.fail(err)
		}
	}
	switch {
	case *asJSON:
		v := exportJSON{Format: c.format, Out: *out, Losses: res.Losses}
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
			return e.fail(err)
		}
	case *out != "":
		fmt.Fprintf(e.Stdout, "Wrote %d %s files to %s\n", len(res.Files), c.format, *out)
	default:
		for i, name := range catalog.SortedKeys(res.Files) {
			if i > 0 {
				fmt.Fprintln(e.Stdout, "---")
			}
			fmt.Fprintf(e.Stdout, "# %s\n", name)
			e.Stdout.Write(res.Files[name])
		}
	}
	return ExitOK
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
