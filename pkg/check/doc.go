// Package check holds the mesh rules: checks across products and domains
// that CUE cannot see one product at a time (references, cycles, access,
// lifecycle, ownership). Each rule registers in pkg/rule's list beside its
// check, with a stable ID, a purpose and an explanation; Run runs the
// checks so registered, and each rule has its own fixture in pkg/mesh.
//
// It reads a catalog.Mesh and returns diagnostics. It must not import
// compile, plan, render or the CLI.
package check
