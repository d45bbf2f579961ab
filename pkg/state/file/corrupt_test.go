package file

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshc-dev/meshc/pkg/state"
)

func TestCorrupt(t *testing.T) {
	valid, err := state.Encode(func() *state.Catalog {
		c := sample()
		c.Serial, c.Lineage = 3, "0123456789abcdef0123456789abcdef"
		return c
	}())
	if err != nil {
		t.Fatal(err)
	}
	truncated := valid[:bytes.Index(valid, []byte(`"products"`))]
	truncLine := bytes.Count(truncated, []byte("\n")) // the last complete line is "  }," (col 5 is just past it)

	tests := []struct {
		name      string
		data      string
		line, col int
		reason    string // in the message
		hint      string // in the message
	}{
		{name: "garbage", data: "hello, world\n", line: 1, col: 1, reason: "invalid character 'h'"},
		{name: "syntax error", data: "{\n  \"format_version\": \"1\",\n  \"serial\": ,\n}\n", line: 3, col: 13, reason: "invalid JSON"},
		{name: "truncated", data: string(truncated), line: truncLine, col: 5, reason: "unexpected end of JSON input"},
		{name: "trailing data", data: `{"format_version":"1"} {}`, line: 1, col: 24, reason: "after top-level value"},
		{name: "empty", data: "", reason: "empty"},
		{name: "wrong type", data: "{\"format_version\": \"1\",\n \"serial\": \"7\"}", line: 2, col: 12, reason: "serial is a JSON string, want int64"},
		{name: "wrong type number", data: "{\"format_version\": \"1\",\n \"domains\": {},\n \"lineage\":  12345}", line: 3, col: 14, reason: "lineage is a JSON number, want string"},
		{name: "wrong type object", data: "{\"format_version\": \"1\",\n  \"history\": {\"a\": 1}}", line: 2, col: 14, reason: "history is a JSON object, want []state.Entry"},
		{name: "not an object", data: "[1, 2]", line: 1, col: 1, reason: "the document is a JSON array, want state.Catalog"},
		{name: "terraform state", data: `{"version":4,"terraform_version":"1.5.0","serial":12,"lineage":"3f1c","outputs":{},"resources":[]}`, reason: "no format_version, so it is not a meshc catalog (it looks like a Terraform state)"},
		{name: "other tool", data: `{"name":"x","version":"2"}`, reason: "top-level keys: name, version"},
		{name: "null", data: "null", reason: "no format_version"},
		{name: "future format", data: `{"format_version":"2","lineage":"ab","serial":9}`, reason: `format_version "2" is newer`, hint: "upgrade meshc"},
		{name: "unknown format", data: `{"format_version":"v1","lineage":"ab","serial":9}`, reason: `unknown format_version "v1"`},
		{name: "no lineage", data: `{"format_version":"1","serial":4,"domains":{},"products":{},"history":[]}`, reason: "serial is 4 but lineage is missing"},
		{name: "negative serial", data: `{"format_version":"1","lineage":"ab","serial":-1}`, reason: "negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			if err := os.MkdirAll(filepath.Dir(s.Path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(s.Path, []byte(tt.data), 0o644); err != nil {
				t.Fatal(err)
			}

			_, err := s.Read(t.Context())
			checkCorrupt(t, "Read", err, s.Path, tt.line, tt.col, tt.reason, cmp.Or(tt.hint, "meshc never overwrites it"))

			// Writing over it fails the same way and leaves the bytes alone.
			l, err := s.Lock(t.Context(), "alice")
			if err != nil {
				t.Fatal(err)
			}
			for _, serial := range []int64{0, 3, 9} {
				err = l.Write(t.Context(), sample(), serial)
				checkCorrupt(t, "Write", err, s.Path, tt.line, tt.col, tt.reason, cmp.Or(tt.hint, "meshc never overwrites it"))
			}
			if err := l.Unlock(); err != nil {
				t.Fatal(err)
			}
			if got, _ := os.ReadFile(s.Path); string(got) != tt.data {
				t.Errorf("failed Write changed the file to %q", got)
			}
		})
	}
}

func checkCorrupt(t *testing.T, op string, err error, path string, line, col int, reason, hint string) {
	t.Helper()
	var ce *state.CorruptError
	if !errors.As(err, &ce) {
		t.Fatalf("%s: err = %v; want *state.CorruptError", op, err)
	}
	if ce.Path != path || ce.Line != line || ce.Column != col {
		t.Errorf("%s: state.CorruptError at %s:%d:%d; want %s:%d:%d", op, ce.Path, ce.Line, ce.Column, path, line, col)
	}
	msg := err.Error()
	where := path
	if line > 0 {
		where = fmt.Sprintf("%s:%d:%d", path, line, col)
	}
	for _, want := range []string{where + " ", reason, hint} {
		if !strings.Contains(msg, want) {
			t.Errorf("%s: message %q does not contain %q", op, msg, want)
		}
	}
}

func TestReadToleratesUnknownFields(t *testing.T) {
	s := newStore(t)
	if err := os.MkdirAll(filepath.Dir(s.Path), 0o755); err != nil {
		t.Fatal(err)
	}
	data := `{"format_version":"1","lineage":"ab","serial":2,"domains":null,"products":{},"history":[],"added_later":{"x":1}}`
	if err := os.WriteFile(s.Path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	c := read(t, s)
	if c.Serial != 2 || c.Lineage != "ab" || c.Domains == nil {
		t.Errorf("Read = %+v; want serial 2, lineage ab, non-nil domains", c)
	}
}
