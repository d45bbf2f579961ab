// Package compile evaluates each domain's CUE against the platform schema
// and the platform's policies, and decodes the result into the typed
// catalog model. Domains evaluate in parallel, each in a fresh cue.Context
// (see CUE-NOTES.md: one instance per domain keeps memory flat and lets one
// domain's errors never hide another's).
//
// Every CUE error becomes a diagnostic at the position CUE reports, in the
// user's file. compile must not import check, plan, render or the CLI.
package compile
