package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/meshc-dev/meshc/pkg/diag"
	"github.com/meshc-dev/meshc/pkg/result"
)

// ValidationText writes one line per diagnostic and a closing summary.
func ValidationText(w io.Writer, v *result.Validation) error {
	var b strings.Builder
	for _, d := range v.Diagnostics {
		b.WriteString(DiagnosticLine(d))
		b.WriteByte('\n')
	}
	s := v.Summary
	counts := fmt.Sprintf("%s, %s", plural(s.Domains, "domain"), plural(s.Products, "product"))
	switch {
	case s.Errors > 0:
		fmt.Fprintf(&b, "mesh has %s", plural(s.Errors, "error"))
		if s.Warnings > 0 {
			fmt.Fprintf(&b, " and %s", plural(s.Warnings, "warning"))
		}
		fmt.Fprintf(&b, " (%s)\n", counts)
	case s.Warnings > 0:
		fmt.Fprintf(&b, "mesh is valid with %s: %s\n", plural(s.Warnings, "warning"), counts)
	default:
		fmt.Fprintf(&b, "mesh is valid: %s\n", counts)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// DiagnosticLine formats d as file:line:col: code: message (product),
// with "warning: " before the message of warnings.
func DiagnosticLine(d diag.Diagnostic) string {
	var b strings.Builder
	if p := d.Pos().String(); p != "" {
		b.WriteString(p + ": ")
	}
	b.WriteString(d.Code + ": ")
	if d.Severity != diag.Error {
		b.WriteString(string(d.Severity) + ": ")
	}
	b.WriteString(d.Message)
	switch {
	case d.Product != "":
		b.WriteString(" (" + d.Product + ")")
	case d.Domain != "":
		b.WriteString(" (domain " + d.Domain + ")")
	}
	return b.String()
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
