package odcs

import (
	"strconv"

	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/format"
	"cuelang.org/go/cue/token"

	"github.com/meshc-dev/meshc/pkg/catalog"
)

// writeCUE writes the domain's CUE: domain.cue and one file per product,
// built as a CUE syntax tree, so every string is a quoted literal, and
// formatted as cue fmt formats.
func writeCUE(d *catalog.Domain, products []*catalog.Product) (map[string][]byte, error) {
	files := map[string][]byte{}
	team := []any{"name", str(d.Team.Name), "github", str(d.Team.GitHub)}
	if d.Team.Email != "" {
		team = append(team, "email", str(d.Team.Email))
	}
	dom := file(d.Name, "domain", strct("title", str(d.Title), "description", str(d.Description), "team", strct(team...)))
	b, err := format.Node(dom)
	if err != nil {
		return nil, err
	}
	files["domain.cue"] = b
	for _, p := range products {
		f := file(d.Name, "products", strct(p.Name, productExpr(p)))
		b, err := format.Node(f)
		if err != nil {
			return nil, err
		}
		files[p.Name+".cue"] = b
	}
	return files, nil
}

func file(pkg, label string, value ast.Expr) *ast.File {
	return &ast.File{Decls: []ast.Decl{
		&ast.Package{Name: ast.NewIdent(pkg)},
		&ast.Field{Label: label1(label), Value: value},
	}}
}

func productExpr(p *catalog.Product) ast.Expr {
	fs := []any{
		"title", str(p.Title),
		"description", str(p.Description),
		"version", str(p.Version),
		"status", str(p.Status),
		"classification", str(p.Classification),
	}
	if len(p.Tags) > 0 {
		fs = append(fs, "tags", strList(p.Tags))
	}
	if s := p.SLO; s != nil {
		var slo []any
		if s.Freshness != "" {
			slo = append(slo, "freshness", str(s.Freshness))
		}
		if s.Availability != nil {
			slo = append(slo, "availability", &ast.BasicLit{Kind: token.FLOAT, Value: strconv.FormatFloat(*s.Availability, 'f', -1, 64)})
		}
		if s.Latency != "" {
			slo = append(slo, "latency", str(s.Latency))
		}
		if s.Retention != "" {
			slo = append(slo, "retention", str(s.Retention))
		}
		fs = append(fs, "slo", strct(slo...))
	}
	if d := p.Deprecation; d != nil {
		dep := []any{"sunset", str(d.Sunset), "reason", str(d.Reason)}
		if d.ReplacedBy != "" {
			dep = append(dep, "replacedBy", str(d.ReplacedBy))
		}
		fs = append(fs, "deprecation", strct(dep...))
	}
	if len(p.InputPorts) > 0 {
		var ins []any
		for _, name := range catalog.SortedKeys(p.InputPorts) {
			in := p.InputPorts[name]
			v := []any{"product", str(in.Product), "port", str(in.Port)}
			if in.Description != "" {
				v = append(v, "description", str(in.Description))
			}
			ins = append(ins, name, strct(v...))
		}
		fs = append(fs, "inputPorts", strct(ins...))
	}
	var outs []any
	for _, name := range catalog.SortedKeys(p.OutputPorts) {
		op := p.OutputPorts[name]
		v := []any{"description", str(op.Description), "type", str(op.Type), "location", str(op.Location)}
		if op.Format != "" {
			v = append(v, "format", str(op.Format))
		}
		acc := []any{"visibility", str(op.Access.Visibility)}
		if len(op.Access.Allow) > 0 {
			acc = append(acc, "allow", strList(op.Access.Allow))
		}
		v = append(v, "access", strct(acc...), "schema", fieldsExpr(op.Schema))
		outs = append(outs, name, strct(v...))
	}
	fs = append(fs, "outputPorts", strct(outs...))
	return strct(fs...)
}

func fieldsExpr(fields map[string]catalog.Field) ast.Expr {
	var fs []any
	for _, name := range catalog.SortedKeys(fields) {
		fs = append(fs, name, fieldExpr(fields[name]))
	}
	return strct(fs...)
}

func fieldExpr(f catalog.Field) ast.Expr {
	fs := []any{"type", str(f.Type), "description", str(f.Description)}
	for _, b := range []struct {
		name string
		on   bool
	}{{"required", f.Required}, {"unique", f.Unique}, {"primaryKey", f.PrimaryKey}, {"pii", f.PII}} {
		if b.on {
			fs = append(fs, b.name, ast.NewBool(true))
		}
	}
	if f.Classification != "" {
		fs = append(fs, "classification", str(f.Classification))
	}
	if f.RenamedFrom != "" {
		fs = append(fs, "renamedFrom", str(f.RenamedFrom))
	}
	if len(f.Fields) > 0 {
		fs = append(fs, "fields", fieldsExpr(f.Fields))
	}
	if f.Items != nil {
		fs = append(fs, "items", fieldExpr(*f.Items))
	}
	return strct(fs...)
}

// strct builds a struct from label, value pairs.
func strct(pairs ...any) *ast.StructLit {
	s := &ast.StructLit{}
	for i := 0; i+1 < len(pairs); i += 2 {
		s.Elts = append(s.Elts, &ast.Field{Label: label1(pairs[i].(string)), Value: pairs[i+1].(ast.Expr)})
	}
	return s
}

// label1 is a field label: a plain identifier when it is one and means
// the same quoted, else a quoted string (names starting with _ or # would
// otherwise be hidden fields or definitions).
func label1(name string) ast.Label {
	if keywords[name] {
		return ast.NewString(name)
	}
	return ast.NewStringLabel(name)
}

// keywords may be labels in CUE, but quoting them keeps the file obvious.
var keywords = map[string]bool{
	"package": true, "import": true, "for": true, "in": true, "if": true, "let": true,
	"true": true, "false": true, "null": true, "_": true,
}

func str(s string) ast.Expr { return ast.NewString(s) }

func strList(items []string) ast.Expr {
	var es []ast.Expr
	for _, s := range items {
		es = append(es, str(s))
	}
	return ast.NewList(es...)
}
