// Package cueerr turns CUE errors into meshc diagnostics, with the positions
// CUE itself reports.
package cueerr

import (
	"cmp"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/errors"
	"cuelang.org/go/cue/token"

	schema "github.com/meshc-dev/meshc/cue"
	"github.com/meshc-dev/meshc/pkg/diag"
	"github.com/meshc-dev/meshc/pkg/fuzzy"
)

// Options says how to place and classify each error.
type Options struct {
	// Rel turns a file name as CUE reports it into the name users see.
	Rel func(filename string) string
	// Own reports whether a file is the user's own (a domain's file rather
	// than a platform policy); nil means every non-schema file is.
	Own func(filename string) bool
	// Locate finds the user's declaration of a CUE path; it places errors
	// that CUE reports only at the schema ("field is required").
	Locate func(path []string) diag.Pos
	// Code classifies an error; nil means every error is "schema".
	Code func(path []string, msg string) string
	// Domain is copied into every diagnostic.
	Domain string
	// Constraint returns the documented field of the schema or of a
	// platform policy that holds a position CUE reports, if any: a policy
	// violation is explained with its comment and named by its file and
	// line (and its rule, when the policy names one).
	Constraint func(filename string, line, col int) (Constraint, bool)
	// PolicyOf returns the documented policy constraint whose pattern is
	// lit (=~"..."), for an error that carries no policy position.
	PolicyOf func(lit string) (Constraint, bool)
}

// Constraint is a documented field of the schema or of a policy file.
type Constraint struct {
	Policy bool   // a platform policy's, not the built-in schema's
	File   string // as users see it
	Line   int
	Doc    string // the comment above it
	Rule   string // the rule the policy names, or ""
}

// Diagnostics returns one diagnostic for each error in err.
func Diagnostics(err error, o Options) diag.Diagnostics {
	var ds diag.Diagnostics
	all := errors.Errors(err)
	for _, e := range all {
		// An interpolation of a field in error fails too; the field's own
		// error says what to fix.
		if format, _ := e.Msg(); format == "invalid interpolation" && len(all) > 1 {
			continue
		}
		path := errors.Path(e)
		// Errors inside a schema definition (#Config, #DomainFile) name it
		// first; users know the path from the top of their own file.
		for len(path) > 0 && strings.HasPrefix(path[0], "#") {
			path = path[1:]
		}
		format, args := e.Msg()
		msg := explain(fmt.Sprintf(format, args...))
		if strings.TrimSpace(msg) == "" {
			// Not CUE's own error (a file that cannot be read): CUE wraps
			// it with an empty message. A diagnostic is never empty.
			msg = cmp.Or(strings.TrimLeft(e.Error(), ": "), "unknown error")
		}
		if format == "field not allowed" {
			msg += suggestLabel(path)
		}
		c, byConstraint := constraintOf(e, o)
		if !c.Policy && o.PolicyOf != nil {
			// The value may fail a policy's pattern that the error names
			// but does not locate; the schema's own patterns are explained
			// by explain already.
			if m := boundRE.FindStringSubmatch(fmt.Sprintf(format, args...)); m != nil {
				helpOnce.Do(loadHelp)
				if _, schemaLit := help[m[1]]; !schemaLit && !enumRE.MatchString(m[1]) {
					if pc, ok := o.PolicyOf(m[1]); ok {
						c, byConstraint = pc, true
					}
				}
			}
		}
		switch {
		case byConstraint && c.Policy && format == "field is required but not present":
			msg = "required by the policy at " + c.where() + c.because()
		case byConstraint && c.Policy:
			msg = inWords(msg) + ": violates the policy at " + c.where() + c.because()
		case byConstraint && format == "field is required but not present":
			msg = "required: " + c.Doc
		default:
			msg = inWords(msg)
		}
		if len(path) > 0 {
			msg = strings.Join(path, ".") + ": " + msg
		}
		code := "schema"
		if o.Code != nil {
			code = o.Code(path, msg)
		}
		if byConstraint && c.Rule != "" {
			code = c.Rule
		}
		d := diag.Errorf(code, "%s", msg)
		if byConstraint && c.Rule != "" {
			d.Rule = c.Rule
		}
		d.Domain = o.Domain
		if len(path) >= 2 && path[0] == "products" {
			name := path[1]
			if u, err := strconv.Unquote(name); err == nil {
				name = u
			}
			d.Product = o.Domain + "." + name
		}
		ds = append(ds, d.At(place(e, path, o)))
	}
	ds.Sort()
	return ds.Compact()
}

// where names a constraint's place, with its rule: "policies/acme.cue:12
// (rule team-mailbox)".
func (c Constraint) where() string {
	w := fmt.Sprintf("%s:%d", c.File, c.Line)
	if c.Rule != "" {
		w += " (rule " + c.Rule + ")"
	}
	return w
}

// because is ": " and the constraint's comment, or nothing.
func (c Constraint) because() string {
	if c.Doc == "" {
		return ""
	}
	return ": " + c.Doc
}

// constraintOf returns the documented constraint e is about: a policy's
// first, then the schema's.
func constraintOf(e errors.Error, o Options) (Constraint, bool) {
	if o.Constraint == nil {
		return Constraint{}, false
	}
	var schemaC Constraint
	found := false
	for _, p := range errors.Positions(e) {
		if !p.IsValid() || (o.Own != nil && o.Own(p.Filename())) {
			continue
		}
		c, ok := o.Constraint(p.Filename(), p.Line(), p.Column())
		if !ok || (c.Doc == "" && !c.Policy) {
			continue
		}
		if c.Policy {
			return c, true
		}
		if !found {
			schemaC, found = c, true
		}
	}
	return schemaC, found
}

// notationRE finds CUE's notation in a message: a bound "(out of bound
// =~...)" and pattern literals.
var (
	outOfBoundRE = regexp.MustCompile(`\s*\(out of bound [^()]*(?:\([^()]*\)[^()]*)*\)$`)
	incompleteRE = regexp.MustCompile(`^incomplete value (.*)$`)
	operandRE    = regexp.MustCompile(`^non-concrete value (.*) in operand to \S+$`)
)

// inWords rewrites what remains of CUE's notation after explain: never
// =~, !~, "incomplete value" or "non-concrete value" for a user to read.
func inWords(msg string) string {
	if m := incompleteRE.FindStringSubmatch(msg); m != nil {
		return "required: " + Describe(m[1])
	}
	if m := operandRE.FindStringSubmatch(msg); m != nil {
		return "a value another field depends on is not set: it must be " + Describe(m[1])
	}
	msg = outOfBoundRE.ReplaceAllString(msg, "")
	return literalRE.ReplaceAllStringFunc(msg, func(lit string) string {
		if d := Describe(lit); d != "a value" {
			return "(" + d + ")"
		}
		return "the pattern of the constraint"
	})
}

// place picks the most useful position of e: the user's own files first,
// then a platform policy file, never the embedded schema. CUE sometimes
// leaves e.Position() empty while Positions lists several; when it names only
// the schema ("field is required but not present"), the user's declaration
// of the path is found with Locate.
func place(e errors.Error, path []string, o Options) diag.Pos {
	var other diag.Pos
	for _, p := range errors.Positions(e) {
		if !p.IsValid() || schema.IsSchemaFile(p.Filename()) {
			continue
		}
		if o.Own == nil || o.Own(p.Filename()) {
			return toPos(p, o.Rel)
		}
		if !other.IsValid() {
			other = toPos(p, o.Rel)
		}
	}
	if o.Locate != nil {
		if p := o.Locate(path); p.IsValid() {
			return p
		}
	}
	return other
}

func toPos(p token.Pos, rel func(string) string) diag.Pos {
	name := p.Filename()
	if rel != nil {
		name = rel(name)
	}
	return diag.Pos{File: name, Line: p.Line(), Column: p.Column()}
}

// ValueLocator returns a Locate function that finds a path in v, or its
// closest ancestor, keeping only positions outside the schema.
func ValueLocator(v cue.Value, rel func(string) string) func(path []string) diag.Pos {
	return func(path []string) diag.Pos {
		for n := len(path); n > 0; n-- {
			sels := make([]cue.Selector, n)
			for i, p := range path[:n] {
				sels[i] = cue.Str(p)
			}
			fv := v.LookupPath(cue.MakePath(sels...))
			if !fv.Exists() {
				continue
			}
			if p := fv.Pos(); p.IsValid() && !schema.IsSchemaFile(p.Filename()) {
				return toPos(p, rel)
			}
		}
		return diag.Pos{}
	}
}

var (
	helpOnce sync.Once
	help     map[string]string
	labels   []string
	patterns map[string]schema.Pattern
	boundRE  = regexp.MustCompile(`\(out of bound ((?:=~|!~)"(?:[^"\\]|\\.)*")\)$`)
	enumRE   = regexp.MustCompile(`^=~"\^\(([a-z|]+)\)\$"$`)
	// validators are CUE's builtin validators the schema uses, and what a
	// value failing one is told.
	validators = []struct {
		re   *regexp.Regexp
		says string
	}{
		{regexp.MustCompile(` \(does not satisfy time\.Format\("2006-01-02"\)\)$`), ": there is no such day: must be a date YYYY-MM-DD of the calendar"},
		{regexp.MustCompile(` \(does not satisfy struct\.MinFields\(1\)\)$`), ": must have at least one entry"},
	}
)

// explain replaces a pattern in a "out of bound" message with what it means:
// `invalid value "actve" (out of bound =~"^(proposed|...)$")` becomes
// `invalid value "actve": must be one of proposed, ...`.
func explain(msg string) string {
	for _, v := range validators {
		if loc := v.re.FindStringIndex(msg); loc != nil {
			return msg[:loc[0]] + v.says
		}
	}
	m := boundRE.FindStringSubmatchIndex(msg)
	if m == nil {
		return msg
	}
	lit := msg[m[2]:m[3]]
	if e := enumRE.FindStringSubmatch(lit); e != nil {
		return msg[:m[0]-1] + ": must be one of " + strings.ReplaceAll(e[1], "|", ", ")
	}
	helpOnce.Do(loadHelp)
	if h, ok := help[lit]; ok {
		return msg[:m[0]-1] + ": must be " + h
	}
	return msg
}

func loadHelp() {
	help = map[string]string{}
	patterns = schema.Patterns()
	for _, p := range patterns {
		for _, lit := range p.Literals {
			help[lit] = p.Doc
		}
	}
	labels = schema.Labels()
}

// maps are the fields whose keys are names the user chooses, and the
// pattern that names them.
var maps = map[string]string{
	"domains": "#Name", "products": "#Name", "inputPorts": "#Name", "outputPorts": "#Name",
	"schema": "#FieldName", "fields": "#FieldName",
}

// suggestLabel names the schema field closest to the misspelt one at the
// end of path (or the one before it: CUE reports "a: b: 1" with a unknown
// at a.b).
func suggestLabel(path []string) string {
	helpOnce.Do(loadHelp)
	for i := len(path) - 1; i >= 0 && i >= len(path)-2; i-- {
		word := path[i]
		if i > 0 {
			if def, ok := maps[path[i-1]]; ok && !matchesPattern(def, word) {
				return fmt.Sprintf("; a name in %s must be %s", path[i-1], patterns[def].Doc)
			}
		}
		if len(word) < 3 {
			continue
		}
		if best := fuzzy.Closest(word, labels, 3); best != "" {
			return "; did you mean " + best + "?"
		}
	}
	return ""
}

// matchesPattern reports whether s matches the named pattern definition.
func matchesPattern(def, s string) bool {
	helpOnce.Do(loadHelp)
	for _, lit := range patterns[def].Literals {
		re, err := strconv.Unquote(strings.TrimPrefix(lit, "=~"))
		if err != nil || !strings.HasPrefix(lit, "=~") {
			continue
		}
		if ok, err := regexp.MatchString(re, s); err == nil && !ok {
			return false
		}
	}
	return true
}
