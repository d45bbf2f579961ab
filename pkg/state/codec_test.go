package state_test

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/meshc-dev/meshc/pkg/state"
	"github.com/meshc-dev/meshc/pkg/state/statetest"
)

func TestCorrupt(t *testing.T) {
	valid, err := state.Encode(func() *state.Catalog {
		c := statetest.Sample()
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
		{name: "null product", data: `{"format_version":"1","lineage":"ab","serial":1,"domains":{},"products":{"a.b":null}}`, reason: `products."a.b" is null`},
		{name: "null domain", data: `{"format_version":"1","lineage":"ab","serial":1,"domains":{"x":{"name":"x"},"y":null}}`, reason: `domains."y" is null`},
		{name: "negative serial", data: `{"format_version":"1","lineage":"ab","serial":-1}`, reason: "negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := state.Decode([]byte(tt.data))
			if c != nil {
				t.Errorf("Decode returned a catalog with its error")
			}
			checkCorrupt(t, err, tt.line, tt.col, tt.reason, cmp.Or(tt.hint, "meshc never overwrites it"))
		})
	}
}

func checkCorrupt(t *testing.T, err error, line, col int, reason, hint string) {
	t.Helper()
	ce, ok := errors.AsType[*state.CorruptError](err)
	if !ok {
		t.Fatalf("err = %v; want *state.CorruptError", err)
	}
	if ce.Path != "" || ce.Line != line || ce.Column != col {
		t.Errorf("CorruptError at %q:%d:%d; want no path, %d:%d", ce.Path, ce.Line, ce.Column, line, col)
	}
	ce.Path = "catalog.json" // as the backend sets it
	msg := err.Error()
	where := "catalog.json"
	if line > 0 {
		where = fmt.Sprintf("%s:%d:%d", where, line, col)
	}
	for _, want := range []string{"live catalog " + where + " ", reason, hint} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q does not contain %q", msg, want)
		}
	}
}

func TestDecodeToleratesUnknownFields(t *testing.T) {
	data := `{"format_version":"1","lineage":"ab","serial":2,"domains":null,"products":{},"history":[],"added_later":{"x":1}}`
	c, err := state.Decode([]byte(data))
	if err != nil {
		t.Fatal(err)
	}
	if c.Serial != 2 || c.Lineage != "ab" || c.Domains == nil || c.Meta == nil || c.History == nil {
		t.Errorf("Decode = %+v; want serial 2, lineage ab, non-nil collections", c)
	}
}

func TestEncodeDecodeRoundTrip(t *testing.T) {
	c := statetest.Sample()
	c.Serial, c.Lineage = 4, "ab"
	c.History = append(c.History, state.Entry{Serial: 4, Time: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC), User: "alice", Summary: state.Summary{Create: 1}})
	data, err := state.Encode(c)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasSuffix(data, []byte("}\n")) || !bytes.Contains(data, []byte(`"Sales & Orders"`)) || !bytes.Contains(data, []byte("\n  \"domains\": {")) {
		t.Errorf("Encode is not indented by two spaces, unescaped and newline-terminated:\n%s", data)
	}
	got, err := state.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	again, err := state.Encode(got)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data, again) {
		t.Errorf("Encode(Decode(Encode(c))) differs:\n%s\n---\n%s", data, again)
	}
}

func TestEncodeDeterministic(t *testing.T) {
	a, err := state.Encode(statetest.Sample())
	if err != nil {
		t.Fatal(err)
	}
	for range 20 { // map iteration order changes from run to run
		b, err := state.Encode(statetest.Sample())
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a, b) {
			t.Fatalf("encode is not deterministic:\n%s\n---\n%s", a, b)
		}
	}
}

func TestLineagesDiffer(t *testing.T) {
	var lineages []string
	for range 2 {
		st := state.NewStore(newMem().backend())
		c := statetest.Sample()
		if err := lockWrite(t, st, c, 0); err != nil {
			t.Fatal(err)
		}
		lineages = append(lineages, c.Lineage)
	}
	if lineages[0] == lineages[1] {
		t.Errorf("two first writes got the same lineage %q", lineages[0])
	}
}

// FuzzDecode feeds Decode arbitrary documents: it must not panic, must
// refuse with a *CorruptError, and must give a catalog whose encoding
// decodes to the same encoding.
func FuzzDecode(f *testing.F) {
	valid, err := state.Encode(func() *state.Catalog { c := statetest.Sample(); c.Serial, c.Lineage = 3, "ab"; return c }())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(valid)
	for _, seed := range []string{"", "null", "[]", `{"format_version":"1"}`, `{"format_version":"1","products":{"a":null}}`,
		`{"version":4,"terraform_version":"1.5.0"}`, `{"format_version":"2"}`, "{\"format_version\": \"1\",\n \"serial\": \"7\"}"} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := state.Decode(data)
		if err != nil {
			if _, ok := errors.AsType[*state.CorruptError](err); !ok {
				t.Fatalf("Decode error %T %v; want *state.CorruptError", err, err)
			}
			return
		}
		first, err := state.Encode(c)
		if err != nil {
			t.Fatalf("Encode of a decoded catalog: %v", err)
		}
		again, err := state.Decode(first)
		if err != nil {
			t.Fatalf("Decode of an encoded catalog: %v\n%s", err, first)
		}
		second, err := state.Encode(again)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(first, second) {
			t.Fatalf("encoding is not stable:\n%s\n---\n%s", first, second)
		}
	})
}

// TestDecodeRefusesLastSerial: a serial with no successor is refused when
// read, not wrapped negative by the next write.
func TestDecodeRefusesLastSerial(t *testing.T) {
	_, err := state.Decode([]byte(`{"format_version":"1","lineage":"ab","serial":9223372036854775807}`))
	if _, ok := errors.AsType[*state.CorruptError](err); !ok || !strings.Contains(err.Error(), "no successor") {
		t.Fatalf("Decode = %v; want a CorruptError saying the serial has no successor", err)
	}
}
