package compile

import (
	"context"
	"errors"
	"io/fs"
	"maps"
	"slices"

	"cuelang.org/go/mod/modfile"
	"cuelang.org/go/mod/module"

	"github.com/meshc-dev/meshc/pkg/diag"
	"github.com/meshc-dev/meshc/pkg/source"
)

// errNoRegistry is what a domain that needs a CUE module dependency gets:
// meshc never contacts a module registry on a tenant's behalf.
var errNoRegistry = errors.New("meshc fetches no CUE module dependencies: a domain's CUE is its own files; remove the dependency from cue.mod/module.cue")

// noRegistry is the module registry of every evaluation: it has nothing.
type noRegistry struct{}

func (noRegistry) ModFile(context.Context, module.Version) (*modfile.File, error) {
	return nil, errNoRegistry
}

func (noRegistry) Fetch(context.Context, module.Version) (module.SourceLoc, error) {
	return module.SourceLoc{}, errNoRegistry
}

func (noRegistry) ModuleVersions(context.Context, string) ([]string, error) {
	return nil, errNoRegistry
}

// moduleDeps refuses a domain whose cue.mod/module.cue declares
// dependencies: they would be fetched from a registry.
func moduleDeps(d *source.Domain) diag.Diagnostics {
	const name = "cue.mod/module.cue"
	b, err := fs.ReadFile(d.FS, name)
	if err != nil {
		return nil // none; or unreadable, which the load reports
	}
	mf, err := modfile.ParseNonStrict(b, name)
	if err != nil || len(mf.Deps) == 0 {
		return nil
	}
	file := filePrefix(d) + name
	dg := diag.Errorf("source", "domain %s: %s declares CUE module dependencies (%s, ...): %v", d.Name, name, firstDep(mf), errNoRegistry)
	dg.Domain = d.Name
	return diag.Diagnostics{dg.At(diag.Pos{File: file, Line: 1, Column: 1})}
}

// firstDep is the first dependency in path order.
func firstDep(mf *modfile.File) string {
	return slices.Sorted(maps.Keys(mf.Deps))[0]
}
