package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestNoColor checks that a terminal gets colour and --no-color takes it
// away again.
func TestNoColor(t *testing.T) {
	cfg := example(t)
	for _, tc := range []struct {
		args  []string
		color bool
	}{
		{[]string{"plan", "--config", cfg}, true},
		{[]string{"plan", "--config", cfg, "--no-color"}, false},
	} {
		var out bytes.Buffer
		code := Run(context.Background(), tc.args, &Env{Stdout: &out, Stderr: &out, Color: true})
		if code != ExitOK {
			t.Fatalf("%v: exit %d\n%s", tc.args, code, out.String())
		}
		if got := strings.Contains(out.String(), "\x1b["); got != tc.color {
			t.Errorf("%v: colour %v, want %v\n%s", tc.args, got, tc.color, out.String())
		}
	}
}

// TestHelpListsRegisteredFormats checks that each command's
// --format help lists exactly the formats pkg/render has for it.
func TestHelpListsRegisteredFormats(t *testing.T) {
	for cmd, want := range map[string]string{
		"validate":     "text|json|markdown",
		"plan":         "text|json|markdown",
		"apply":        "text|json",
		"reconcile":    "text|json|markdown",
		"graph":        "mermaid|dot|json",
		"history":      "text|json",
		"catalog show": "text|json",
	} {
		var out bytes.Buffer
		args := append(strings.Fields(cmd), "--help")
		if code := Run(context.Background(), args, &Env{Stdout: &out, Stderr: &out}); code != ExitOK {
			t.Fatalf("%s --help: exit %d", cmd, code)
		}
		if !strings.Contains(out.String(), "output format: "+want+" ") {
			t.Errorf("%s --help: want formats %s in\n%s", cmd, want, out.String())
		}
	}
}

func TestReleased(t *testing.T) {
	for v, want := range map[string]bool{
		"v1.2.0":                             true,
		"v0.3.1-rc.1":                        true,
		"(devel)":                            false,
		"":                                   false,
		"v0.0.0-20261201210946-db3c54abd377": false,
		"v0.0.0-20261201210946-db3c54abd377+dirty": false,
		"v1.2.4-0.20261201210946-db3c54abd377":     false,
		"v1.2.0+dirty":                             false,
	} {
		if got := released(v); got != want {
			t.Errorf("released(%q) = %v, want %v", v, got, want)
		}
	}
}
