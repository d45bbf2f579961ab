// Package schema embeds meshc's platform schema: the CUE definitions every
// domain is unified with (#DomainFile and what it uses) and the shape of
// mesh.cue (#Config). It holds files only; pkg/compile builds them.
package schema

import (
	"embed"
	"fmt"
	"path"
	"slices"
	"strings"

	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/build"
	"cuelang.org/go/cue/parser"
	"cuelang.org/go/cue/token"
)

// FS holds the schema's .cue files, all of package mesh.
//
//go:embed *.cue
var FS embed.FS

// Package is the CUE package name of the schema; platform policy files
// must use it too, so that they unify with the schema's definitions.
const Package = "mesh"

// Dir is the directory the schema's files appear in, in positions and
// build instances; it exists only inside meshc.
const Dir = "/meshc/schema"

// Files parses the embedded schema files. Each call returns fresh syntax
// trees, so callers may build them in any cue.Context.
func Files() ([]*ast.File, error) {
	entries, err := FS.ReadDir(".")
	if err != nil {
		return nil, err
	}
	var files []*ast.File
	for _, e := range entries {
		src, err := FS.ReadFile(e.Name())
		if err != nil {
			return nil, err
		}
		f, err := parser.ParseFile(path.Join(Dir, e.Name()), src, parser.ParseComments)
		if err != nil {
			return nil, fmt.Errorf("embedded schema: %w", err)
		}
		files = append(files, f)
	}
	return files, nil
}

// Instance returns a build instance of the schema package made of files.
func Instance(files []*ast.File) (*build.Instance, error) {
	inst := build.NewContext().NewInstance(Dir, nil)
	for _, f := range files {
		if err := inst.AddSyntax(f); err != nil {
			return nil, err
		}
	}
	return inst, nil
}

// patterns returns the literals of the =~ and !~ constraints of x, a
// conjunction such as strings.MinRunes(3) & =~"..." & !~"...", in the form
// CUE errors print them: =~"...".
func patterns(x ast.Expr) []string {
	switch x := x.(type) {
	case *ast.BinaryExpr:
		if x.Op == token.AND {
			return append(patterns(x.X), patterns(x.Y)...)
		}
	case *ast.UnaryExpr:
		if lit, ok := x.X.(*ast.BasicLit); ok && (x.Op == token.MAT || x.Op == token.NMAT) {
			return []string{x.Op.String() + lit.Value}
		}
	}
	return nil
}

// IsSchemaFile reports whether filename is one of the embedded schema files.
func IsSchemaFile(filename string) bool {
	return strings.HasPrefix(filename, Dir+"/")
}

// Pattern is one named pattern of the schema, such as #SemVer.
type Pattern struct {
	Literals []string // as CUE prints them in errors: =~"..." or !~"..."
	Doc      string   // the comment above it: what it means, in words
}

// Patterns returns the schema's documented pattern definitions by name
// ("#SemVer"). Enumerations need no comment; errors list their values.
func Patterns() map[string]Pattern {
	out := map[string]Pattern{}
	files, err := Files()
	if err != nil {
		return out
	}
	for _, f := range files {
		for _, decl := range f.Decls {
			field, ok := decl.(*ast.Field)
			if !ok {
				continue
			}
			name, _, err := ast.LabelName(field.Label)
			if err != nil {
				continue
			}
			doc := ""
			for _, cg := range ast.Comments(field) {
				if cg.Doc {
					doc = strings.Join(strings.Fields(cg.Text()), " ")
				}
			}
			if lits := patterns(field.Value); doc != "" && len(lits) > 0 {
				out[name] = Pattern{Literals: lits, Doc: doc}
			}
		}
	}
	return out
}

// Labels returns the names of every regular field the schema declares
// (status, outputPorts, ...): the words a misspelt field is compared with.
func Labels() []string {
	files, err := Files()
	if err != nil {
		return nil
	}
	seen := map[string]bool{}
	for _, f := range files {
		ast.Walk(f, func(n ast.Node) bool {
			if field, ok := n.(*ast.Field); ok {
				if name, _, err := ast.LabelName(field.Label); err == nil && !strings.HasPrefix(name, "#") {
					seen[name] = true
				}
			}
			return true
		}, nil)
	}
	labels := make([]string, 0, len(seen))
	for l := range seen {
		labels = append(labels, l)
	}
	slices.Sort(labels)
	return labels
}
