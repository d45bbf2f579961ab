package diag

import (
	"cmp"
	"fmt"
	"slices"
)

// Severity says whether a diagnostic fails the run.
type Severity string

// The severities, most severe first.
const (
	Error   Severity = "error"
	Warning Severity = "warning"
	Notice  Severity = "notice"
)

// Rank orders severities, most severe first: error 0, warning 1, notice 2.
func (s Severity) Rank() int {
	switch s {
	case Error:
		return 0
	case Warning:
		return 1
	}
	return 2
}

// Diagnostic is one problem found in the mesh, located in a user's file.
type Diagnostic struct {
	Severity Severity `json:"severity"`
	Code     string   `json:"code"`
	Message  string   `json:"message"`
	File     string   `json:"file,omitempty"`
	Line     int      `json:"line,omitempty"`
	Column   int      `json:"column,omitempty"`
	Domain   string   `json:"domain,omitempty"`
	Product  string   `json:"product,omitempty"`
	// Rule is the rule that found it, where the code names a family of
	// rules (breaking-change: field-removed, ...).
	Rule string `json:"rule,omitempty"`
}

// Pos is a position in a source file, relative to the mesh root.
type Pos struct {
	File   string `json:"file,omitempty"`
	Line   int    `json:"line,omitempty"`
	Column int    `json:"column,omitempty"`
}

// IsValid reports whether p names a file.
func (p Pos) IsValid() bool { return p.File != "" }

// String formats p as file:line:col, leaving out what is unknown.
func (p Pos) String() string {
	switch {
	case p.File == "":
		return ""
	case p.Line == 0:
		return p.File
	case p.Column == 0:
		return fmt.Sprintf("%s:%d", p.File, p.Line)
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Column)
}

// Pos returns where d points.
func (d Diagnostic) Pos() Pos { return Pos{File: d.File, Line: d.Line, Column: d.Column} }

// At returns d located at p.
func (d Diagnostic) At(p Pos) Diagnostic {
	d.File, d.Line, d.Column = p.File, p.Line, p.Column
	return d
}

// Errorf returns an error diagnostic with the given code.
func Errorf(code, format string, args ...any) Diagnostic {
	return Diagnostic{Severity: Error, Code: code, Message: fmt.Sprintf(format, args...)}
}

// Warningf returns a warning diagnostic with the given code.
func Warningf(code, format string, args ...any) Diagnostic {
	return Diagnostic{Severity: Warning, Code: code, Message: fmt.Sprintf(format, args...)}
}

// Diagnostics is a list of diagnostics; the zero value is empty and ready.
type Diagnostics []Diagnostic

// HasErrors reports whether any diagnostic is an error.
func (ds Diagnostics) HasErrors() bool {
	return slices.ContainsFunc(ds, func(d Diagnostic) bool { return d.Severity == Error })
}

// Errors returns the error diagnostics of ds.
func (ds Diagnostics) Errors() Diagnostics {
	var out Diagnostics
	for _, d := range ds {
		if d.Severity == Error {
			out = append(out, d)
		}
	}
	return out
}

// Count returns how many diagnostics have severity s.
func (ds Diagnostics) Count(s Severity) int {
	n := 0
	for _, d := range ds {
		if d.Severity == s {
			n++
		}
	}
	return n
}

// Sort orders ds by file, position, code and message, so output is stable
// whatever order domains finished evaluating in. Diagnostics without a file
// come first.
func (ds Diagnostics) Sort() {
	slices.SortStableFunc(ds, compare)
}

func compare(a, b Diagnostic) int {
	return cmp.Or(
		cmp.Compare(a.File, b.File),
		cmp.Compare(a.Line, b.Line),
		cmp.Compare(a.Column, b.Column),
		cmp.Compare(a.Code, b.Code),
		cmp.Compare(a.Domain, b.Domain),
		cmp.Compare(a.Product, b.Product),
		cmp.Compare(a.Message, b.Message),
	)
}

// Compact removes exact duplicates from a sorted list.
func (ds Diagnostics) Compact() Diagnostics {
	return slices.Compact(ds)
}
