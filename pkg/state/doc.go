// Package state owns the live catalog: the document of every applied domain
// and product, with its serial, lineage and history of applied plans, and
// the backends that store it behind the Store interface (today a file with a
// lock file; later git and postgres).
//
// Writes are compare-and-swap on serial and lineage under an exclusive lock,
// so two applies can never lose each other's update. A catalog that cannot
// be read is reported, never overwritten.
//
// state must not import compile, check, plan, render or the CLI; it imports
// nothing of meshc but pkg/catalog and pkg/diag.
package state
