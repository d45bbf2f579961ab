package cueerr

import (
	"strings"
	"testing"
)

// TestInWords rewrites what CUE says into what the schema's comments say,
// leaving none of CUE's notation.
func TestInWords(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`incomplete value =~"^.{2,120}$"`, "required: a title of 2 to 120 characters on one line"},
		{`incomplete value =~"^(proposed|draft|active|deprecated|retired)$"`, "required: one of proposed, draft, active, deprecated, retired"},
		{`non-concrete value =~"^(proposed|draft|active|deprecated|retired)$" in operand to !=`, "a value another field depends on is not set: it must be one of proposed, draft, active, deprecated, retired"},
		{`invalid value "x@gmail.com" (out of bound =~"@acme\\.example$")`, `invalid value "x@gmail.com"`},
		{`conflicting values "a" and =~"@acme\\.example$"`, `conflicting values "a" and the pattern of the constraint`},
	} {
		got := inWords(c.in)
		if got != c.want {
			t.Errorf("inWords(%s)\n got %s\nwant %s", c.in, got, c.want)
		}
		for _, notation := range []string{"=~", "!~", "non-concrete", "incomplete value"} {
			if strings.Contains(got, notation) {
				t.Errorf("inWords(%s) = %s: still says %s", c.in, got, notation)
			}
		}
	}
	if got := explain(`invalid value "2027-02-30" (does not satisfy time.Format("2006-01-02"))`); got != `invalid value "2027-02-30": there is no such day: must be a date YYYY-MM-DD of the calendar` {
		t.Errorf("explain of an impossible date = %s", got)
	}
	if got := Describe(`#Email & =~"@acme"`); got != "an e-mail address" {
		t.Errorf("Describe(#Email & ...) = %q", got)
	}
}
