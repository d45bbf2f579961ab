package render

import (
	"math"
	"regexp"
)

// measure returns how many bytes section writes when nothing is cut.
func measure(section func(*writer)) int {
	w := &writer{limit: math.MaxInt / 2}
	section(w)
	return w.b.Len()
}

// shares splits avail bytes between sections needing need[i], by weight:
// a section gets what it needs if that is within its share, and what it
// leaves is shared again among the others.
func shares(avail int, need, weight []int) []int {
	out := make([]int, len(need))
	open := make([]bool, len(need))
	for i := range open {
		open[i] = true
	}
	for {
		sum := 0
		for i, w := range weight {
			if open[i] {
				sum += w
			}
		}
		if sum == 0 {
			return out
		}
		left, settled := avail, false
		for i := range need {
			if open[i] && need[i] <= avail*weight[i]/sum {
				out[i], open[i], settled = need[i], false, true
				left -= need[i]
			}
		}
		if !settled {
			for i := range need {
				if open[i] {
					out[i] = max(0, avail*weight[i]/sum)
				}
			}
			return out
		}
		avail = left
	}
}

// within runs section, which may take up to n bytes when capped.
func (w *writer) within(n int, section func()) {
	if w.capped {
		w.bound = w.b.Len() + n
		defer func() { w.bound = 0 }()
	}
	section()
}

// write adds s, unless that passes the limit: then the report is
// thrown away, so nothing more is written.
func (w *writer) write(s string) {
	if w.overflow || w.b.Len()+len(s) > w.limit {
		w.overflow = true
		return
	}
	w.b.WriteString(s)
}

func (w *writer) line(s string) { w.write(s + "\n") }

// over reports whether something did not fit.
func (w *writer) over() bool { return w.overflow }

// room reports whether n more bytes fit, keeping the reserve and the
// section's bound when capped.
func (w *writer) room(n int) bool {
	return !w.capped || w.b.Len()+n+w.reserve <= w.limit && (w.bound == 0 || w.b.Len()+n <= w.bound)
}

// fit writes s if it fits.
func (w *writer) fit(s string) bool {
	if !w.room(len(s)) {
		return false
	}
	w.write(s)
	return true
}

// list writes items as a bullet list, ending with how many were left out
// when they do not all fit; what is an item's singular noun.
func (w *writer) list(items []string, what string) {
	for i, s := range items {
		if !w.fit("- " + s + "\n") {
			w.line("- … and " + plural(len(items)-i, "more "+what))
			return
		}
	}
}

var handle = regexp.MustCompile(`^@[A-Za-z0-9][A-Za-z0-9-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?$`)
