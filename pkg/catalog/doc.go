// Package catalog is the typed model of a data mesh: domains, their data
// products, ports, schemas, SLOs and lifecycle, as decoded from CUE and as
// stored in the live catalog.
//
// It holds types and small pure helpers only; it never evaluates CUE, reads
// files or prints. It imports nothing of meshc but pkg/diag.
package catalog
