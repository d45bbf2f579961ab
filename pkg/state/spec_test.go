package state_test

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshc-dev/meshc/pkg/state"
)

func TestParseURL(t *testing.T) {
	const base = "/srv/platform"
	for _, tt := range []struct {
		in   string
		want state.Spec
	}{
		{".meshc/catalog.json", state.Spec{Backend: "file", Path: ".meshc/catalog.json", BaseDir: base}},
		{"/var/lib/meshc/catalog.json", state.Spec{Backend: "file", Path: "/var/lib/meshc/catalog.json", BaseDir: base}},
		{"file:///var/lib/meshc/catalog.json", state.Spec{Backend: "file", Path: "/var/lib/meshc/catalog.json", BaseDir: base}},
		{"file://live/catalog.json", state.Spec{Backend: "file", Path: "live/catalog.json", BaseDir: base}},
		{"FILE:///c.json", state.Spec{Backend: "file", Path: "/c.json", BaseDir: base}},
		{`C:\meshc\catalog.json`, state.Spec{Backend: "file", Path: `C:\meshc\catalog.json`, BaseDir: base}},
		{"odd:name.json", state.Spec{Backend: "file", Path: "odd:name.json", BaseDir: base}},
		{"postgres://db.acme/mesh", state.Spec{Backend: "postgres", URL: "postgres://db.acme/mesh", BaseDir: base}},
		{"postgresql://meshc@db.acme:5432/mesh?sslmode=require", state.Spec{Backend: "postgres", URL: "postgresql://meshc@db.acme:5432/mesh?sslmode=require", BaseDir: base}},
		{"git+https://github.com/acme/platform#meshc-catalog:catalog.json", state.Spec{Backend: "git", Repo: "https://github.com/acme/platform", Branch: "meshc-catalog", Path: "catalog.json", BaseDir: base}},
		{"git+ssh://git@github.com/acme/platform.git#main:state/catalog.json", state.Spec{Backend: "git", Repo: "ssh://git@github.com/acme/platform.git", Branch: "main", Path: "state/catalog.json", BaseDir: base}},
		{"git+git@github.com:acme/platform.git#b:c:d.json", state.Spec{Backend: "git", Repo: "git@github.com:acme/platform.git", Branch: "b", Path: "c:d.json", BaseDir: base}},
		{"git+../state.git", state.Spec{Backend: "git", Repo: "../state.git", BaseDir: base}},
		{"git+file:///srv/state.git#live", state.Spec{Backend: "git", Repo: "file:///srv/state.git", Branch: "live", BaseDir: base}},
	} {
		got, err := state.ParseURL(tt.in, base)
		if err != nil || got != tt.want {
			t.Errorf("ParseURL(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
	}
}

func TestParseURLErrors(t *testing.T) {
	for _, tt := range []struct {
		in, want    string
		unsupported bool
	}{
		{"", "no live catalog location given", false},
		{"file://", "no path after file://", false},
		{"git+", "no repository after git+", false},
		{"git+#main:c.json", "no repository after git+", false},
		{"postgres://h/%zz", "not a postgres URL", false},
		{"s3://bucket/catalog.json", `no live catalog backend for s3://bucket/catalog.json: give a file path, file://PATH, postgres://HOST/DB or git+URL#BRANCH:PATH; this meshc has the backends: `, true},
		{"https://u:tok3n@example.com/c.json", "no live catalog backend for https://u:xxxxx@example.com/c.json", true},
	} {
		_, err := state.ParseURL(tt.in, "")
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseURL(%q): err = %v; want one containing %q", tt.in, err, tt.want)
			continue
		}
		u, ok := errors.AsType[*state.UnsupportedError](err)
		if ok != tt.unsupported {
			t.Errorf("ParseURL(%q): err = %#v; *UnsupportedError: %v, want %v", tt.in, err, ok, tt.unsupported)
		}
		if ok && (u.Backend != "" || strings.Join(u.Have, ",") != strings.Join(state.Backends(), ",")) {
			t.Errorf("ParseURL(%q): %+v; want no backend and the registered ones", tt.in, u)
		}
	}
}

func TestSpecStringRedacts(t *testing.T) {
	for _, tt := range []struct {
		spec state.Spec
		want string
	}{
		{state.Spec{Backend: "file", Path: "a b/c%.json"}, "a b/c%.json"},
		{state.Spec{Backend: "postgres", URL: "postgres://meshc:s3cret@db/mesh"}, "postgres://meshc:xxxxx@db/mesh"},
		{state.Spec{Backend: "postgres", URL: "postgres://db/mesh?password=s3cret&sslmode=require"}, "postgres://db/mesh?password=xxxxx&sslmode=require"},
		{state.Spec{Backend: "postgres", URL: "postgres://db/my%20mesh"}, "postgres://db/my%20mesh"},
		{state.Spec{Backend: "git", Repo: "https://x:tok@github.com/acme/p", Branch: "b", Path: "c.json"}, "git+https://x:xxxxx@github.com/acme/p#b:c.json"},
		{state.Spec{Backend: "git", Repo: "https://ghp_tok3n@github.com/acme/p", Branch: "b"}, "git+https://xxxxx@github.com/acme/p#b"},
		{state.Spec{Backend: "git", Repo: "ssh://git@github.com/acme/p.git"}, "git+ssh://git@github.com/acme/p.git"},
		{state.Spec{Backend: "git", Repo: "../state.git"}, "git+../state.git"},
		{state.Spec{Backend: "s3"}, `backend "s3"`},
	} {
		if got := tt.spec.String(); got != tt.want {
			t.Errorf("%+v.String() = %q; want %q", tt.spec, got, tt.want)
		}
	}
}

func TestSpecAbs(t *testing.T) {
	base := filepath.FromSlash("/srv/platform")
	s := state.Spec{BaseDir: base}
	for in, want := range map[string]string{
		"":                                "",
		".meshc/catalog.json":             filepath.Join(base, ".meshc/catalog.json"),
		filepath.FromSlash("/var/c.json"): filepath.FromSlash("/var/c.json"),
	} {
		if got := s.Abs(in); got != want {
			t.Errorf("Abs(%q) = %q; want %q", in, got, want)
		}
	}
	if got := (state.Spec{}).Abs("c.json"); got != "c.json" {
		t.Errorf("Abs without a base dir = %q; want it relative to the working directory", got)
	}
}
