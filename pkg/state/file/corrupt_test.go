package file

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshc-dev/meshc/pkg/state"
	"github.com/meshc-dev/meshc/pkg/state/statetest"
)

// TestCorrupt checks that the file backend names its file and the
// position in it, and leaves the file alone; pkg/state tests every reason
// Decode gives.
func TestCorrupt(t *testing.T) {
	tests := []struct {
		name      string
		data      string
		line, col int
		reason    string // in the message
		hint      string // in the message
	}{
		{name: "syntax error", data: "{\n  \"format_version\": \"1\",\n  \"serial\": ,\n}\n", line: 3, col: 13, reason: "invalid JSON"},
		{name: "truncated", data: "{\"format_version\": \"1\",\n  \"serial\": 3,\n", line: 2, col: 15, reason: "unexpected end of JSON input"},
		{name: "empty", data: "", reason: "the file is empty"},
		{name: "terraform state", data: `{"version":4,"terraform_version":"1.5.0","serial":12,"lineage":"3f1c","outputs":{},"resources":[]}`, reason: "no format_version, so it is not a meshc catalog (it looks like a Terraform state)"},
		{name: "future format", data: `{"format_version":"2","lineage":"ab","serial":9}`, reason: `format_version "2" is newer`, hint: "upgrade meshc"},
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
				err = l.Write(t.Context(), statetest.Sample(), serial)
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
