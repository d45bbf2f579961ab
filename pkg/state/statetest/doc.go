// Package statetest is the conformance suite every live catalog backend
// runs from its tests: statetest.Run(t, factory), where the factory makes
// an empty storage for one test, opens handles on it (as separate meshc
// processes would) and, if it can, plants raw bytes as the stored document
// and shows them.
//
// The suite checks what callers rely on through the shared state.Store: a
// missing catalog reads as New(); writes are compare-and-swap on serial and
// lineage, the lineage is fixed at the first write and history is kept; a
// held lock names its holder, also after a crash; a corrupt or foreign
// document is refused and left as it is (byte for byte in a file, row for
// row in a database, which holds only the documents its tables have a
// place for); concurrent writers cannot lose an update.
//
// It is imported by tests only; it imports nothing of meshc but pkg/state
// and pkg/catalog.
package statetest
