package cueerr

import (
	"fmt"
	"regexp"
	"strings"

	"cuelang.org/go/cue"

	"github.com/meshc-dev/meshc/pkg/diag"
)

// literalRE finds the pattern literals in a printed CUE constraint.
var literalRE = regexp.MustCompile(`[=!]~"(?:[^"\\]|\\.)*"`)

// refRE finds references to the schema's definitions (#Title) in a printed
// constraint.
var refRE = regexp.MustCompile(`#[A-Za-z][A-Za-z0-9_]*`)

// Missing returns a diagnostic for every required field under v (at path)
// that the user's files leave unset, in words: "title: required: a title
// of 2 to 120 characters on one line", never CUE's "incomplete value
// =~...". declared reports whether the user's files declare a path; a
// required struct they do not declare at all is one diagnostic, not one
// per field inside it.
func Missing(v cue.Value, path []string, declared func(path []string) bool, o Options) diag.Diagnostics {
	var ds diag.Diagnostics
	it, err := v.Fields()
	if err != nil {
		return nil
	}
	for it.Next() {
		fv := it.Value()
		p := append(append([]string(nil), path...), it.Selector().Unquoted())
		if fv.Err() != nil && fv.IsConcrete() {
			continue // an error of its own, reported as such
		}
		if fv.IncompleteKind() == cue.StructKind {
			if declared(p) {
				ds = append(ds, Missing(fv, p, declared, o)...)
			} else if !concreteStruct(fv) {
				ds = append(ds, missing(p, "required, with "+fieldList(fv), o))
			}
			continue
		}
		// Only scalars: a required struct or list (slo!: _, allow!: [...])
		// is CUE's "field is required", which the schema's comment explains.
		if k := fv.IncompleteKind(); fv.IsConcrete() || declared(p) || k&(cue.StringKind|cue.NumberKind|cue.BoolKind) == 0 || k&(cue.ListKind|cue.StructKind) != 0 {
			continue
		}
		ds = append(ds, missing(p, "required: "+Describe(fmt.Sprint(fv)), o))
	}
	return ds
}

// concreteStruct reports whether every regular field of a struct is set.
func concreteStruct(v cue.Value) bool {
	return v.Validate(cue.Concrete(true)) == nil
}

// fieldList names a required struct's required fields and what each holds.
func fieldList(v cue.Value) string {
	var parts []string
	it, err := v.Fields()
	if err != nil {
		return "its fields"
	}
	for it.Next() {
		fv := it.Value()
		if fv.IsConcrete() {
			continue
		}
		what := "fields of its own"
		if fv.IncompleteKind() != cue.StructKind {
			what = Describe(fmt.Sprint(fv))
		}
		parts = append(parts, it.Selector().Unquoted()+" ("+what+")")
	}
	if len(parts) == 0 {
		return "its fields"
	}
	return strings.Join(parts, ", ")
}

func missing(path []string, msg string, o Options) diag.Diagnostic {
	d := diag.Errorf("schema", "%s: %s", strings.Join(path, "."), msg)
	d.Domain = o.Domain
	if len(path) >= 2 && path[0] == "products" {
		d.Product = o.Domain + "." + path[1]
	}
	if o.Locate != nil {
		d = d.At(o.Locate(path))
	}
	return d
}

// Describe says in words what a printed CUE constraint accepts, from the
// schema's comments: `=~"^(a|b)$"` is "one of a, b", `=~"^.{2,120}$"` the
// comment above #Title. A constraint the schema does not document is
// "a value of type T".
func Describe(constraint string) string {
	helpOnce.Do(loadHelp)
	for _, ref := range refRE.FindAllString(constraint, -1) {
		if p, ok := patterns[ref]; ok {
			return p.Doc
		}
	}
	for _, lit := range literalRE.FindAllString(constraint, -1) {
		if e := enumRE.FindStringSubmatch(lit); e != nil {
			return "one of " + strings.ReplaceAll(e[1], "|", ", ")
		}
		helpOnce.Do(loadHelp)
		if h, ok := help[lit]; ok {
			return h
		}
	}
	switch {
	case strings.Contains(constraint, "bool"):
		return "true or false"
	case strings.Contains(constraint, "number"), strings.Contains(constraint, "int"):
		return "a number"
	case strings.Contains(constraint, "[") || strings.Contains(constraint, "list"):
		return "a list"
	}
	return "a value"
}
