// Package all registers every live catalog backend this meshc is built
// with: importing it (for its side effect) makes state.Open know them. A
// new backend package is added here, and the test checks none is missing.
//
// Only the command line (and the engine) imports it; pkg/state and the
// backends must not.
package all
