// Package export maps the mesh model (pkg/catalog) to the standards that
// catalogs and contract tools read: the Open Data Product Standard v1.0.0,
// the Open Data Contract Standard v3.1.0 and Backstage's catalog entities.
// Each format is one registered entry in its own file (odps.go, odcs.go,
// backstage.go); every export returns its files as name → bytes and a loss
// report that lists each field the format cannot carry, so nothing is
// dropped silently.
//
// It reads the model only: it must not import compile, source, mesh,
// config, github or render, and it never prints or writes files.
package export
