// Package plan compares the desired mesh with the live catalog: what each
// product's change is (create, update, delete, no-op, with every changed
// path), which changes break consumers under the rules of change, which
// lifecycle moves are allowed, and who is impacted. Apply turns a plan into
// the next live catalog document. Every rule of change and lifecycle rule
// registers in pkg/rule's list beside its check, and the plan runs the
// checks so registered.
//
// It returns values and diagnostics; it must not import compile, source,
// render, github or the CLI.
package plan
