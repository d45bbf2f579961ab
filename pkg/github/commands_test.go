package github

import (
	"bytes"
	"regexp"
	"testing"

	"github.com/meshc-dev/meshc/pkg/diag"
)

func TestEscaping(t *testing.T) {
	for _, tc := range []struct{ in, data, prop string }{
		{"plain", "plain", "plain"},
		{"100%", "100%25", "100%25"},
		{"a\r\nb", "a%0D%0Ab", "a%0D%0Ab"},
		{"k: v, w", "k: v, w", "k%3A v%2C w"},
		{"%0A", "%250A", "%250A"},
	} {
		if got := EscapeData(tc.in); got != tc.data {
			t.Errorf("EscapeData(%q) = %q, want %q", tc.in, got, tc.data)
		}
		if got := EscapeProperty(tc.in); got != tc.prop {
			t.Errorf("EscapeProperty(%q) = %q, want %q", tc.in, got, tc.prop)
		}
	}
}

func TestDiagnosticCommand(t *testing.T) {
	for _, tc := range []struct {
		d    diag.Diagnostic
		want string
	}{
		{diag.Diagnostic{Severity: diag.Error, Code: "cycle", Message: "a -> b -> a", File: "mesh/a.cue", Line: 3, Column: 7},
			"::error file=mesh/a.cue,line=3,col=7,title=cycle::a -> b -> a"},
		{diag.Diagnostic{Severity: diag.Warning, Code: "lifecycle", Message: "deprecated", File: "mesh/a.cue", Column: 7},
			"::warning file=mesh/a.cue,title=lifecycle::deprecated"},
		{diag.Diagnostic{Severity: diag.Notice, Message: "fyi"}, "::notice::fyi"},
		{diag.Diagnostic{Severity: "info", Code: "x", Message: "m", Product: "orders.orders"}, "::notice title=x::m (orders.orders)"},
		{diag.Diagnostic{Severity: diag.Error, Code: "a:b,c", Message: "two\nlines"}, "::error title=a%3Ab%2Cc::two%0Alines"},
	} {
		if got := DiagnosticCommand(tc.d); got != tc.want {
			t.Errorf("DiagnosticCommand(%+v)\n got %s\nwant %s", tc.d, got, tc.want)
		}
	}
}

func TestStopCommands(t *testing.T) {
	var b bytes.Buffer
	resume := StopCommands(&b)
	b.WriteString("::error::from a pull request\n")
	resume()
	m := regexp.MustCompile(`^::stop-commands::([0-9a-f]{32})\n::error::from a pull request\n::([0-9a-f]{32})::\n$`).FindStringSubmatch(b.String())
	if m == nil || m[1] != m[2] {
		t.Errorf("output:\n%s", b.String())
	}
}

func TestMarker(t *testing.T) {
	if got := Marker("acme"); got != "<!-- meshc:report mesh=acme -->" {
		t.Errorf("Marker = %q", got)
	}
	if got := Marker("a--->b"); got != "<!-- meshc:report mesh=a->b -->" {
		t.Errorf("Marker = %q", got)
	}
}
