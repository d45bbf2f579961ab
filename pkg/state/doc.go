// Package state owns the live catalog: the document of every applied domain
// and product, with its serial, lineage and history of applied plans (its
// types and its JSON codec, Decode and Encode), and the Store every caller
// uses to read and write it.
//
// The semantics live here, once: a Store wraps a thin Backend (one
// sub-package each: file, git and postgres) that only keeps the
// document, takes a lock that names its holder and replaces the document
// atomically. The Store does the compare-and-swap on serial and lineage
// under that lock, fixes the lineage at the first write, normalises the
// document and refuses to overwrite one it cannot read. Backends register
// by name (Register, from each backend package's init); Open picks one from
// a Spec, which ParseURL reads from --state. Every backend runs the
// conformance suite in package statetest.
//
// state must not import compile, check, plan, render, config or the CLI,
// nor any of its backends; it imports nothing of meshc but pkg/catalog.
package state
