// Package result holds what meshc's commands produce, as data: the
// outcome of a validation, an apply, a reconcile. The engine (pkg/engine)
// makes them; the output formats (pkg/render) and the GitHub reporter
// render them. Plans and live catalogs are pkg/plan's and pkg/state's own
// types.
//
// It holds types only: it must not import the stages that load the mesh
// (config, source, compile, mesh) nor anything that prints.
package result
