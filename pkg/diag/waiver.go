package diag

import (
	"fmt"
	"time"
)

// WaiverCode is the code of diagnostics about waivers themselves.
const WaiverCode = "waiver"

// Waiver accepts the diagnostics of one rule, for a product or a domain,
// until a date, for a stated reason: the way out for a known exception that
// must not block everyone else (mesh.cue's waivers).
type Waiver struct {
	Rule    string `json:"rule"`              // a rule ID or diagnostic code
	Product string `json:"product,omitempty"` // "<domain>.<product>"
	Domain  string `json:"domain,omitempty"`
	Reason  string `json:"reason"`
	Expires string `json:"expires"` // YYYY-MM-DD, the last day it applies
	Pos     Pos    `json:"-"`       // its declaration in mesh.cue
}

func (w Waiver) matches(d Diagnostic) bool {
	if w.Rule != d.Code && w.Rule != d.Rule {
		return false
	}
	switch {
	case w.Product != "":
		return w.Product == d.Product
	case w.Domain != "":
		return w.Domain == d.Domain
	}
	return false
}

// Waive turns the diagnostics a live waiver covers into notices that say
// so, and warns about each expired waiver that still matches something.
func Waive(ds Diagnostics, ws []Waiver, today time.Time) Diagnostics {
	if len(ws) == 0 {
		return ds
	}
	day := today.UTC().Format(time.DateOnly)
	out := make(Diagnostics, 0, len(ds))
	expired := map[int]bool{}
	for _, d := range ds {
		for i, w := range ws {
			if !w.matches(d) || d.Severity == Notice {
				continue
			}
			if w.Expires < day {
				expired[i] = true
				continue
			}
			d.Severity = Notice
			d.Message = fmt.Sprintf("waived until %s (%s): %s", w.Expires, w.Reason, d.Message)
			break
		}
		out = append(out, d)
	}
	for i := range ws {
		if expired[i] {
			w := ws[i]
			out = append(out, Warningf(WaiverCode, "the waiver of %s for %s expired on %s, so its diagnostics count again: fix them or extend the waiver",
				w.Rule, w.Product+w.Domain, w.Expires).At(w.Pos))
		}
	}
	out.Sort()
	return out
}
