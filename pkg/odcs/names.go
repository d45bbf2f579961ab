package odcs

import (
	"regexp"
	"strings"
	"unicode"
)

// meshc's name patterns (cue/product.cue).
var (
	namePattern      = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)
	fieldNamePattern = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,127}$`)
	tagPattern       = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)
	semver           = regexp.MustCompile(`^(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$`)
	formatPattern    = regexp.MustCompile(`^[a-z][a-z0-9_-]*$`)
	productRef       = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}\.[a-z][a-z0-9_]{0,62}$`)
	handlePattern    = regexp.MustCompile(`^@[A-Za-z0-9][A-Za-z0-9-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?$`)
	emailPattern     = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
	titlePattern     = regexp.MustCompile(`^.{2,120}$`)
	descPattern      = regexp.MustCompile(`[A-Za-z]{2}.*\S`)
	placeholder      = regexp.MustCompile(`^(?i)\s*(todo|tbd|fixme|n/?a|none|tba|xxx)\W*$`)
	durationPattern  = regexp.MustCompile(`^[1-9][0-9]*(ms|s|m|h|d)$`)
)

// toName maps s to a meshc name: lower case (camelCase becomes camel_case),
// runs of anything but letters and digits become one _, a leading letter,
// at most 63 characters.
func toName(s string) string {
	out := words(s, '_')
	if out == "" || out[0] < 'a' || out[0] > 'z' {
		out = "n_" + out
	}
	out = strings.TrimRight(out, "_")
	if len(out) > 63 {
		out = strings.TrimRight(out[:63], "_")
	}
	return out
}

// toFieldName maps s to a meshc field name: letters, digits and _, not
// starting with a digit, at most 128 characters.
func toFieldName(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_') {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	out := b.String()
	if out == "" || unicode.IsDigit(rune(out[0])) {
		out = "_" + out
	}
	if len(out) > 128 {
		out = out[:128]
	}
	return out
}

// toTag maps s to a meshc tag, or "" when nothing of it is left.
func toTag(s string) string {
	out := words(s, '-')
	if len(out) > 63 {
		out = strings.TrimRight(out[:63], "-")
	}
	return out
}

// unique returns name, or name with the smallest suffix _2, _3, ... that
// is not in used, and records it.
func unique(name string, used map[string]bool, maxLen int) string {
	out := name
	for i := 2; used[out]; i++ {
		suffix := "_" + itoa(i)
		base := name
		if len(base)+len(suffix) > maxLen {
			base = base[:maxLen-len(suffix)]
		}
		out = base + suffix
	}
	used[out] = true
	return out
}

func itoa(i int) string {
	const digits = "0123456789"
	if i < 10 {
		return digits[i : i+1]
	}
	return itoa(i/10) + digits[i%10:i%10+1]
}

// isDescription reports whether s satisfies meshc's #Description.
func isDescription(s string) bool { return descPattern.MatchString(s) && !placeholder.MatchString(s) }

var locationPattern = regexp.MustCompile(`^[a-z][a-z0-9+.-]*://\S+$`)

// words lower-cases s and joins its runs of ASCII letters and digits with
// sep (camelCase is two words).
func words(s string, sep byte) string {
	var b strings.Builder
	gap := false
	for _, r := range splitCamel(s) {
		if r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			if gap && b.Len() > 0 {
				b.WriteByte(sep)
			}
			gap = false
			b.WriteRune(r)
			continue
		}
		gap = true
	}
	return b.String()
}

// splitCamel lower-cases s, putting a space where a capital follows a
// lower-case letter or digit ("AnObject" is "an object").
func splitCamel(s string) string {
	var b strings.Builder
	prev := rune(0)
	for _, r := range s {
		if unicode.IsUpper(r) && (unicode.IsLower(prev) || unicode.IsDigit(prev)) {
			b.WriteByte(' ')
		}
		b.WriteRune(unicode.ToLower(r))
		prev = r
	}
	return b.String()
}
