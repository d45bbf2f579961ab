// Package compile evaluates each domain's CUE against the platform schema
// and the platform's policies, and decodes the result into the typed
// catalog model. Domains evaluate in parallel, each in a fresh cue.Context
// (see CUE-NOTES.md: one instance per domain keeps memory flat and lets one
// domain's errors never hide another's).
//
// With a Budget (mesh.Load sets mesh.cue's), each domain evaluates in a
// child process of the running binary (child.go): CUE's evaluator cannot
// be interrupted, a process can be killed when its time or memory budget
// is spent or the run is cancelled. The child is sent the domain's files
// and the schema, sees nothing else of meshc (no environment, no other
// files), and answers with the result in the compile cache's form, so its
// diagnostics are the in-process path's, byte for byte. No CUE module is
// ever fetched from a registry.
//
// Every CUE error becomes a diagnostic at the position CUE reports, in the
// user's file. compile must not import check, plan, render or the CLI.
package compile
