package compile

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/cuecontext"
	"cuelang.org/go/cue/parser"

	schema "github.com/meshc-dev/meshc/cue"
	"github.com/meshc-dev/meshc/pkg/config"
	"github.com/meshc-dev/meshc/pkg/diag"
	"github.com/meshc-dev/meshc/pkg/internal/cueerr"
	"github.com/meshc-dev/meshc/pkg/rule"
)

// Schema is the platform schema: the embedded definitions unified with the
// platform's own policy files.
type Schema struct {
	cfg *config.Config
	src map[string][]byte // file name -> source, policies included
	// constraints are the documented fields of the schema and policies;
	// rules the rules the policies name.
	constraints []constraint
	rules       []rule.Rule

	splitOnce sync.Once
	split     bool // products can be evaluated one by one (split.go)
}

// LoadSchema reads the embedded schema and the policy files named by cfg.
// A policy directory that cannot be read is an error; a policy file that
// does not compile is a diagnostic.
func LoadSchema(cfg *config.Config) (*Schema, diag.Diagnostics, error) {
	s := &Schema{cfg: cfg, src: map[string][]byte{}}
	entries, err := schema.FS.ReadDir(".")
	if err != nil {
		return nil, nil, err
	}
	for _, e := range entries {
		b, err := schema.FS.ReadFile(e.Name())
		if err != nil {
			return nil, nil, err
		}
		s.src[filepath.ToSlash(filepath.Join(schema.Dir, e.Name()))] = b
	}
	if cfg.Platform.Policies != "" {
		dir := cfg.Abs(cfg.Platform.Policies)
		names, err := filepath.Glob(filepath.Join(dir, "*.cue"))
		if err == nil && len(names) == 0 {
			if _, serr := os.Stat(dir); serr != nil {
				err = serr
			}
		}
		if err != nil {
			return nil, nil, fmt.Errorf("platform.policies: %w", err)
		}
		for _, n := range names {
			b, err := os.ReadFile(n)
			if err != nil {
				return nil, nil, fmt.Errorf("platform.policies: %w", err)
			}
			s.src[n] = b
		}
	}
	// Build once here, so that a broken policy is reported once, at its
	// position, rather than once per domain.
	_, ds := s.build(cuecontext.New())
	if err := s.indexConstraints(); err != nil {
		return nil, nil, fmt.Errorf("platform.policies: %w", err)
	}
	return s, ds, nil
}

// files parses the schema afresh: syntax trees are not shared between
// cue.Contexts that evaluate in parallel.
func (s *Schema) files() ([]*ast.File, diag.Diagnostics) {
	var files []*ast.File
	var ds diag.Diagnostics
	for _, name := range slices.Sorted(maps.Keys(s.src)) {
		f, err := parser.ParseFile(name, s.src[name], parser.ParseComments)
		if err != nil {
			ds = append(ds, cueerr.Diagnostics(err, cueerr.Options{Rel: s.rel})...)
			continue
		}
		if pkg := f.PackageName(); pkg != schema.Package {
			ds = append(ds, diag.Errorf("schema",
				"platform policy files must be `package %s` to extend the schema, not %q", schema.Package, pkg).
				At(diag.Pos{File: s.rel(name), Line: 1, Column: 1}))
			continue
		}
		files = append(files, f)
	}
	return files, ds
}

// build returns the schema value in ctx.
func (s *Schema) build(ctx *cue.Context) (cue.Value, diag.Diagnostics) {
	files, ds := s.files()
	if len(ds) > 0 {
		return cue.Value{}, ds
	}
	inst, err := schema.Instance(files)
	if err != nil {
		return cue.Value{}, cueerr.Diagnostics(err, cueerr.Options{Rel: s.rel})
	}
	v := ctx.BuildInstance(inst)
	if err := v.Validate(); err != nil {
		return cue.Value{}, cueerr.Diagnostics(err, cueerr.Options{Rel: s.rel})
	}
	return v, nil
}

// rel names a schema or policy file as users see it.
func (s *Schema) rel(name string) string {
	if filepath.IsAbs(name) && !strings.HasPrefix(name, schema.Dir+"/") {
		return s.cfg.Rel(name)
	}
	return name
}
