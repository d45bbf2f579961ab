package compile

import (
	"encoding/json"
	"regexp"
	"unicode/utf8"

	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/literal"
	"cuelang.org/go/cue/token"
)

// appendJSON appends plain data x (a literal that literal accepts) as
// JSON, when x means exactly that JSON: strings, JSON numbers, true, false,
// null, structs of regular fields with distinct names, lists without
// ellipsis. It says false for anything else (a constraint, an expression,
// a number such as 1_000 or 0x10, a field declared twice), which CUE must
// then export.
//
// It is how a valid product is decoded without CUE's JSON export, whose
// field ordering is a quarter of a domain's evaluation: sound when the
// schema adds no data of its own to a product beyond name, domain and id
// (schemaAddsNoData), since the product is then its own declaration.
func appendJSON(b []byte, x ast.Expr) ([]byte, bool) {
	switch x := x.(type) {
	case *ast.BasicLit:
		switch x.Kind {
		case token.STRING:
			if len(x.Value) > 0 && x.Value[0] == '\'' {
				return b, false // bytes
			}
			s, err := literal.Unquote(x.Value)
			if err != nil || !utf8.ValidString(s) {
				return b, false
			}
			return appendString(b, s), true
		case token.INT, token.FLOAT:
			if !jsonNumber.MatchString(x.Value) {
				return b, false
			}
			return append(b, x.Value...), true
		case token.TRUE, token.FALSE, token.NULL:
			return append(b, x.Value...), true
		}
		return b, false
	case *ast.UnaryExpr:
		if x.Op != token.SUB {
			return b, false
		}
		if n, ok := x.X.(*ast.BasicLit); ok && (n.Kind == token.INT || n.Kind == token.FLOAT) && jsonNumber.MatchString(n.Value) {
			return append(append(b, '-'), n.Value...), true
		}
		return b, false
	case *ast.ListLit:
		b = append(b, '[')
		for i, e := range x.Elts {
			if i > 0 {
				b = append(b, ',')
			}
			var ok bool
			if b, ok = appendJSON(b, e); !ok {
				return b, false
			}
		}
		return append(b, ']'), true
	case *ast.StructLit:
		b = append(b, '{')
		seen := make(map[string]bool, len(x.Elts))
		n := 0
		for _, elt := range x.Elts {
			switch e := elt.(type) {
			case *ast.CommentGroup, *ast.Attribute:
				continue
			case *ast.Field:
				name, ok := plainLabel(e)
				if !ok || seen[name] {
					return b, false
				}
				seen[name] = true
				if n > 0 {
					b = append(b, ',')
				}
				n++
				b = appendString(b, name)
				b = append(b, ':')
				if b, ok = appendJSON(b, e.Value); !ok {
					return b, false
				}
			default:
				return b, false
			}
		}
		return append(b, '}'), true
	}
	return b, false
}

// jsonNumber is a number as JSON writes it, which CUE reads the same.
var jsonNumber = regexp.MustCompile(`^(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$`)

// decodeLiteral decodes one product declared once, as plain JSON data.
func decodeLiteral(x ast.Expr, into any) bool {
	b, ok := appendJSON(nil, x)
	return ok && json.Unmarshal(b, into) == nil
}

func appendString(b []byte, s string) []byte {
	q, _ := json.Marshal(s) // a valid UTF-8 string always marshals
	return append(b, q...)
}
