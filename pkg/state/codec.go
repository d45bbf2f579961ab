package state

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Decode parses a stored catalog document. It returns a *CorruptError
// (without Path: the backend fills it in) for anything that is not a catalog
// this meshc can safely read and rewrite.
//
// Unknown fields are tolerated: within one format_version, newer meshc
// releases may add optional fields that older ones ignore (and drop on their
// next write). A change that an older meshc must not silently drop bumps
// format_version, which older releases then refuse to read.
func Decode(data []byte) (*Catalog, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, &CorruptError{Reason: "the file is empty"}
	}
	var c Catalog
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, jsonError(data, err)
	}
	if err := validate(&c, data); err != nil {
		return nil, err
	}
	c.normalize()
	return &c, nil
}

// validate refuses a parsed catalog this meshc cannot safely rewrite: not a
// meshc catalog, a format from a newer meshc, or a serial without lineage.
// data, the document it came from, if any, helps name a look-alike.
func validate(c *Catalog, data []byte) *CorruptError {
	switch {
	case c.FormatVersion == "":
		return &CorruptError{Reason: "it has no format_version, so it is not a meshc catalog" + lookalike(data)}
	case c.FormatVersion != FormatVersion:
		if n, err := strconv.Atoi(c.FormatVersion); err == nil && n > 1 {
			return &CorruptError{
				Reason: fmt.Sprintf("format_version %q is newer than this meshc understands (%q)", c.FormatVersion, FormatVersion),
				Hint:   "upgrade meshc to a release that reads it; meshc never overwrites it",
			}
		}
		return &CorruptError{Reason: fmt.Sprintf("unknown format_version %q", c.FormatVersion)}
	case c.Serial < 0:
		return &CorruptError{Reason: fmt.Sprintf("serial %d is negative", c.Serial)}
	case c.Serial == math.MaxInt64:
		return &CorruptError{Reason: fmt.Sprintf("serial %d has no successor: no write can follow it", c.Serial)}
	case c.Serial > 0 && c.Lineage == "":
		return &CorruptError{Reason: fmt.Sprintf("serial is %d but lineage is missing", c.Serial)}
	}
	// A null entry would crash whoever reads the catalog next.
	if name, ok := nullEntry(c.Domains); ok {
		return &CorruptError{Reason: fmt.Sprintf("domains.%s is null", strconv.Quote(name))}
	}
	if id, ok := nullEntry(c.Products); ok {
		return &CorruptError{Reason: fmt.Sprintf("products.%s is null", strconv.Quote(id))}
	}
	return nil
}

// nullEntry returns the first key, in order, whose value is nil.
func nullEntry[V any](m map[string]*V) (string, bool) {
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if m[k] == nil {
			return k, true
		}
	}
	return "", false
}

// jsonError turns a JSON decoding error into a CorruptError at the line and
// column where it happened.
func jsonError(data []byte, err error) *CorruptError {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		off := int(syn.Offset) - 1 // Offset counts the offending byte
		if syn.Offset >= int64(len(data)) {
			// Truncated: point just past the last thing written.
			off = len(bytes.TrimRight(data, " \t\r\n"))
		}
		line, col := position(data, off)
		return &CorruptError{Line: line, Column: col, Reason: "invalid JSON: " + syn.Error()}
	case errors.As(err, &typ):
		line, col := position(data, valueStart(data, typ))
		field := cmp.Or(strings.TrimPrefix(typ.Field, "."), "the document")
		return &CorruptError{Line: line, Column: col, Reason: fmt.Sprintf("%s is a JSON %s, want %s", field, typ.Value, typ.Type)}
	}
	return &CorruptError{Reason: err.Error()}
}

// valueStart returns the offset of the value a type error is about. The
// error's Offset is just past the opening bracket of an object or array but
// just past the end of a string, number or literal; for those, walk the
// tokens up to it to find where the value begins.
func valueStart(data []byte, typ *json.UnmarshalTypeError) int {
	end := typ.Offset
	if typ.Value == "object" || typ.Value == "array" {
		return int(end) - 1
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	var prev int64
	for {
		if _, err := dec.Token(); err != nil {
			return int(end) - 1
		}
		off := dec.InputOffset()
		if off >= end {
			break
		}
		prev = off
	}
	// Skip what separates the previous token from the value.
	for prev < end && bytes.IndexByte([]byte(" \t\r\n:,"), data[prev]) >= 0 {
		prev++
	}
	return int(prev)
}

// position returns the 1-based line and byte column of data[off].
func position(data []byte, off int) (line, col int) {
	off = max(0, min(off, len(data)))
	before := data[:off]
	line = 1 + bytes.Count(before, []byte("\n"))
	col = off - (bytes.LastIndexByte(before, '\n') + 1) + 1
	return line, col
}

// lookalike names what a JSON document that is not a meshc catalog seems to
// be, from its top-level keys, to help the user see what went wrong.
func lookalike(data []byte) string {
	var top map[string]json.RawMessage
	if json.Unmarshal(data, &top) != nil || len(top) == 0 {
		return ""
	}
	if _, ok := top["terraform_version"]; ok {
		return " (it looks like a Terraform state)"
	}
	keys := slices.Sorted(maps.Keys(top))
	if len(keys) > 5 {
		keys = append(keys[:5], "...")
	}
	return " (top-level keys: " + strings.Join(keys, ", ") + ")"
}

// Encode renders c as the stored document: indented by two spaces, map keys
// sorted, no HTML escaping, ending in a newline, so equal catalogs give equal
// bytes and changes read well in diffs.
func Encode(c *Catalog) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(c); err != nil {
		return nil, fmt.Errorf("encode catalog: %w", err)
	}
	return buf.Bytes(), nil
}
