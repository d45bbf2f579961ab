// Package meshgen writes synthetic but realistic data meshes: a platform
// mesh.cue and one directory per domain with a domain.cue and one file per
// product, valid against meshc's schema and mesh rules. The meshes feed
// meshc's benchmarks and let anyone reproduce the figures of CUE-NOTES.md.
//
// Output depends only on Options: the same options give the same bytes.
// meshgen writes files, or returns the same mesh as the model (Mesh); it
// must not import any stage of meshc's pipeline, only the model, pkg/catalog
// (its tests do, to check that what it writes validates).
package meshgen
