package compile

import (
	"io/fs"
	"slices"
	"strings"
	"sync"

	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/parser"
	"cuelang.org/go/cue/token"

	"github.com/meshc-dev/meshc/pkg/diag"
)

// locator finds where a path is declared in a domain's files. It parses
// them only when first asked: most runs need no positions beyond the ones
// CUE errors carry, and keeping every label's position of a large mesh in
// memory would cost more than the catalog itself.
type locator struct {
	fsys   fs.FS
	prefix string

	once sync.Once
	pos  map[string]token.Pos
	kids map[string][]string // path -> names of its declared fields, sorted
}

func newLocator(fsys fs.FS, prefix string) *locator {
	return &locator{fsys: fsys, prefix: prefix}
}

// locate returns the position of path's first declaration, or of its
// closest declared ancestor.
func (l *locator) locate(path string) diag.Pos {
	l.once.Do(l.index)
	for {
		if p, ok := l.pos[path]; ok {
			return diag.Pos{File: p.Filename(), Line: p.Line(), Column: p.Column()}
		}
		i := strings.LastIndexByte(path, '.')
		if i < 0 {
			return diag.Pos{}
		}
		path = path[:i]
	}
}

func (l *locator) index() {
	l.pos = map[string]token.Pos{}
	l.kids = map[string][]string{}
	names, _ := fs.Glob(l.fsys, "*.cue")
	for _, name := range names {
		src, err := fs.ReadFile(l.fsys, name)
		if err != nil {
			continue
		}
		f, err := parser.ParseFile(l.prefix+name, src)
		if err != nil {
			continue
		}
		l.walk("", f.Decls)
	}
	for _, names := range l.kids {
		slices.Sort(names)
	}
}

// walk records the label of every field reachable through plain struct
// literals; fields made by comprehensions or references are found through
// their closest literal ancestor.
func (l *locator) walk(prefix string, decls []ast.Decl) {
	for _, decl := range decls {
		f, ok := decl.(*ast.Field)
		if !ok {
			if e, ok := decl.(*ast.EmbedDecl); ok {
				if s, ok := e.Expr.(*ast.StructLit); ok {
					l.walk(prefix, s.Elts)
				}
			}
			continue
		}
		name, _, err := ast.LabelName(f.Label)
		if err != nil {
			continue
		}
		path := name
		if prefix != "" {
			path = prefix + "." + name
		}
		if _, seen := l.pos[path]; !seen {
			l.pos[path] = f.Label.Pos()
			l.kids[prefix] = append(l.kids[prefix], name)
		}
		l.walkExpr(path, f.Value)
	}
}

func (l *locator) walkExpr(path string, x ast.Expr) {
	switch x := x.(type) {
	case *ast.StructLit:
		l.walk(path, x.Elts)
	case *ast.BinaryExpr: // a & {...}
		l.walkExpr(path, x.X)
		l.walkExpr(path, x.Y)
	}
}

// declared reports whether path itself is declared in the domain's files.
func (l *locator) declared(path []string) bool {
	l.once.Do(l.index)
	_, ok := l.pos[strings.Join(path, ".")]
	return ok
}

// children returns the names of the fields declared directly under path
// ("" is the top), sorted.
func (l *locator) children(path string) []string {
	l.once.Do(l.index)
	return l.kids[path]
}
