package redact

import (
	"strings"
	"testing"
)

func TestURL(t *testing.T) {
	for raw, want := range map[string]string{
		"https://ghp_abcdefghijklmnop@github.com/acme/o.git":     "https://xxxxx@github.com/acme/o.git",
		"https://x-access-token:ghs_1234@github.com/acme/o":      "https://x-access-token:xxxxx@github.com/acme/o",
		"ssh://git@github.com/acme/o":                            "ssh://git@github.com/acme/o",
		"ssh://git:pw@github.com/acme/o":                         "ssh://git:xxxxx@github.com/acme/o",
		"https://example.com/o.git?access_token=s3cret&ref=main": "https://example.com/o.git?access_token=xxxxx&ref=main",
		"postgres://mesh:hunter2@db.acme/mesh?sslmode=disable":   "postgres://mesh:xxxxx@db.acme/mesh?sslmode=disable",
		"https://github.com/acme/o.git":                          "https://github.com/acme/o.git",
		"not a url":                                              "not a url",
	} {
		if got := URL(raw); got != want {
			t.Errorf("URL(%q) = %q, want %q", raw, got, want)
		}
	}
}

// TestText: a URL quoted by a wrapped net/http or go-git error, and a bare
// token, are masked wherever they stand.
func TestText(t *testing.T) {
	in := `cannot reach http://xxxxx@h/o.git: Get "http://ghp_plantedTOKEN1234567890@127.0.0.1:1/o.git?access_token=sekret/info/refs": refused; token ghs_ABCDEFGHIJKLMNOP0123 leaked (see https://h/x?token=abc).`
	out := Text(in)
	for _, leak := range []string{"plantedTOKEN", "sekret", "ABCDEFGHIJKLMNOP", "abc)"} {
		if strings.Contains(out, leak) {
			t.Errorf("Text leaves %q in:\n%s", leak, out)
		}
	}
	if !strings.HasSuffix(out, "token=xxxxx).") || !strings.Contains(out, "127.0.0.1:1/o.git") {
		t.Errorf("Text mangles the rest:\n%s", out)
	}
	if s := "nothing to hide at https://github.com/acme"; Text(s) != s {
		t.Errorf("Text changed %q", s)
	}
}
