package compile

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/parser"
	"cuelang.org/go/cue/token"

	schema "github.com/meshc-dev/meshc/cue"
	"github.com/meshc-dev/meshc/pkg/internal/cueerr"
	"github.com/meshc-dev/meshc/pkg/rule"
)

// ruleTag is the line of a policy's comment that names its rule:
// "// rule: team-mailbox".
var ruleTag = regexp.MustCompile(`(?m)^\s*rule:\s*(\S+)\s*$`)

// constraint is a documented field of the schema, or a field of a policy
// file with a pattern: the span of its declaration, the comment above it
// and the rule it names.
type constraint struct {
	file               string // as CUE names it
	line, col, endLine int
	endCol             int
	doc                string
	rule               string   // "" when the policy names none
	lits               []string // its pattern literals, as CUE prints them: =~"..."
}

func (c constraint) contains(line, col int) bool {
	if line < c.line || line > c.endLine {
		return false
	}
	if line == c.line && col < c.col {
		return false
	}
	return line != c.endLine || col <= c.endCol
}

// indexConstraints records every field of the schema and policy files
// with a comment above it, so an error at a constraint is explained with
// that comment; a policy's "rule: ID" line names its rule.
func (s *Schema) indexConstraints() error {
	for _, name := range slices.Sorted(func(yield func(string) bool) {
		for n := range s.src {
			if !yield(n) {
				return
			}
		}
	}) {
		f, err := parser.ParseFile(name, s.src[name], parser.ParseComments)
		if err != nil {
			continue // reported by build
		}
		policy := !schema.IsSchemaFile(name)
		var walkErr error
		ast.Walk(f, func(n ast.Node) bool {
			field, ok := n.(*ast.Field)
			if !ok {
				return true
			}
			doc := ""
			for _, cg := range ast.Comments(field) {
				if cg.Doc {
					doc = cg.Text()
				}
			}
			if doc == "" && (policy == false || len(literals(field.Value)) == 0) {
				return true // the schema's undocumented fields explain nothing
			}
			c := constraint{file: name, line: field.Pos().Line(), col: field.Pos().Column(), endLine: field.End().Line(), endCol: field.End().Column(), lits: literals(field.Value)}
			if m := ruleTag.FindStringSubmatch(doc); m != nil && policy {
				c.rule = m[1]
				doc = ruleTag.ReplaceAllString(doc, "")
				if err := s.addPolicyRule(c, doc); err != nil && walkErr == nil {
					walkErr = err
				}
			}
			c.doc = strings.Join(strings.Fields(doc), " ")
			s.constraints = append(s.constraints, c)
			return true
		}, nil)
		if walkErr != nil {
			return walkErr
		}
	}
	return nil
}

// literals returns the pattern literals under x, as CUE prints them.
func literals(x ast.Node) []string {
	var out []string
	ast.Walk(x, func(n ast.Node) bool {
		if u, ok := n.(*ast.UnaryExpr); ok && (u.Op == token.MAT || u.Op == token.NMAT) {
			if lit, ok := u.X.(*ast.BasicLit); ok {
				out = append(out, u.Op.String()+lit.Value)
			}
		}
		return true
	}, nil)
	return out
}

// policyByLiteral returns the innermost documented field of a policy whose
// constraint has the pattern literal lit: CUE does not always report the
// policy's position with a value that fails its pattern.
func (s *Schema) policyByLiteral(lit string) (cueerr.Constraint, bool) {
	return s.innermost(func(c constraint) bool { return !schema.IsSchemaFile(c.file) && slices.Contains(c.lits, lit) })
}

func (s *Schema) export(c constraint) cueerr.Constraint {
	return cueerr.Constraint{
		Policy: !schema.IsSchemaFile(c.file),
		File:   s.rel(c.file), Line: c.line,
		Doc: c.doc, Rule: c.rule,
	}
}

// addPolicyRule makes a named policy constraint a rule of this run.
func (s *Schema) addPolicyRule(c constraint, doc string) error {
	where := fmt.Sprintf("%s:%d", s.rel(c.file), c.line)
	if !ruleIDPattern.MatchString(c.rule) {
		return fmt.Errorf("%s: policy rule %q: a rule ID is lower-case words joined by '-', e.g. team-mailbox", where, c.rule)
	}
	if _, ok := rule.Lookup(c.rule); ok {
		return fmt.Errorf("%s: policy rule %q: meshc has a rule of that ID already; name the policy's rule otherwise", where, c.rule)
	}
	for _, r := range s.rules {
		if r.ID == c.rule {
			return fmt.Errorf("%s: policy rule %q is named twice in the policies", where, c.rule)
		}
	}
	text := strings.Join(strings.Fields(doc), " ")
	purpose, _, _ := strings.Cut(text, ". ")
	purpose = strings.TrimSuffix(purpose, ".")
	s.rules = append(s.rules, rule.Rule{
		ID: c.rule, Code: c.rule, Stage: rule.Compile,
		Purpose: purpose,
		Explanation: fmt.Sprintf(`A rule of the platform's policies, declared at %s:

%s

A value that violates it is an error at the value, under the code %s, naming
the policy's file and line. To accept it for a while, waive the rule in
mesh.cue:

  waivers: [{rule: "%s", domain: "orders", reason: "...", expires: "2027-01-31"}]`, where, wrap(strings.TrimSpace(doc)), c.rule, c.rule),
	})
	return nil
}

var ruleIDPattern = regexp.MustCompile(`^[a-z][a-z-]*$`)

// wrap indents a comment's text as an explanation quotes it.
func wrap(doc string) string {
	var lines []string
	for _, l := range strings.Split(doc, "\n") {
		lines = append(lines, "  "+strings.TrimSpace(l))
	}
	return strings.Join(lines, "\n")
}

// Rules returns the rules the platform's policies name: each a rule of
// this run, which `meshc rules` lists and a waiver may name.
func (s *Schema) Rules() []rule.Rule { return slices.Clone(s.rules) }

// constraintAt returns the innermost documented field of the schema or a
// policy that holds the position, if any.
func (s *Schema) constraintAt(file string, line, col int) (cueerr.Constraint, bool) {
	return s.innermost(func(c constraint) bool { return c.file == file && c.contains(line, col) })
}

// innermost returns the innermost constraint that match accepts, a
// documented one before any other: the comment of a constraint's block
// explains the constraints inside it.
func (s *Schema) innermost(match func(constraint) bool) (cueerr.Constraint, bool) {
	best := -1
	better := func(c, b constraint) bool {
		if (c.doc != "") != (b.doc != "") {
			return c.doc != ""
		}
		return c.file == b.file && (c.line > b.line || c.line == b.line && c.col >= b.col)
	}
	for i, c := range s.constraints {
		if match(c) && (best < 0 || better(c, s.constraints[best])) {
			best = i
		}
	}
	if best < 0 {
		return cueerr.Constraint{}, false
	}
	return s.export(s.constraints[best]), true
}
