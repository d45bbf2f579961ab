// Package engine is meshc's pipeline as a library: it loads the mesh
// (pkg/mesh), plans it against the live catalog (pkg/plan, pkg/state),
// applies waivers once for every command, applies plans under the store's
// lock and reconciles drift. Every command of the CLI is one call here.
//
// It takes typed options and returns results and diagnostics
// (pkg/result); it never prints, never sees flags or streams, and must
// not import pkg/render, pkg/github or the CLI.
package engine
