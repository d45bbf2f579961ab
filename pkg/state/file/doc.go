// Package file is the live catalog's default backend: the catalog as one
// JSON file (.meshc/catalog.json by default), guarded by a lock file next
// to it that names its holder. Writes go to a temporary file in the same
// directory, are synced and renamed over the catalog, so readers see the old
// or the new file, never a mix. Beside it the backend keeps the catalog's
// index (IndexPath, written before the document and bound to it by
// checksum), through which ReadPart reads only some products; an index
// that does not match the document is ignored.
//
// It registers itself as "file" with package state. It only keeps the
// document: compare-and-swap, lineage and the refusal to overwrite a corrupt
// catalog are state's. It imports nothing of meshc but pkg/state.
package file
