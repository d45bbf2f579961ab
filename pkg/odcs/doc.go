// Package odcs imports Open Data Contract Standard v3 contracts (v3.0.x and
// v3.1.0) into meshc: it maps each contract to a product of one domain, its
// schema objects to output ports, and writes the domain's CUE, formatted as
// cue fmt would. Everything meshc's model cannot hold (quality rules,
// pricing, roles, physical types, ...) and every name or value it had to
// change or default is in the loss report, with the contract's file and
// line.
//
// Contracts are untrusted input: their size, nesting and counts are
// bounded, YAML aliases are refused, and every string reaches the CUE as a
// quoted literal built with cue/ast, so no contract text can break or
// inject CUE. The package reads the model (pkg/catalog) and the export's
// mapping helpers (pkg/export); it never prints or writes files.
package odcs
