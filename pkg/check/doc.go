// Package check holds the mesh rules: checks across products and domains
// that CUE cannot see one product at a time (references, cycles, access,
// lifecycle, ownership). Every rule has a stable ID, a one-line purpose and
// its own test; Rules lists them all.
//
// It reads a catalog.Mesh and returns diagnostics. It must not import
// compile, plan, render or the CLI.
package check
