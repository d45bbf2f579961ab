// Package mesh runs the front half of meshc's pipeline: it reads mesh.cue's
// sources, compiles every domain and checks the whole mesh, returning the
// catalog model and every diagnostic of the run.
//
// It wires config, source, compile and check together; it must not import
// plan, render, github or the CLI.
package mesh
