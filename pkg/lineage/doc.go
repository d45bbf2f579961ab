// Package lineage lays out a directed graph of data products in layers, as
// Sugiyama's method does (break cycles, assign layers that keep edges short,
// insert dummy nodes, reduce crossings by barycenter sweeps, assign
// coordinates), and writes the result as inline SVG through html/template,
// so that every label and link is escaped.
//
// It knows nothing of the catalog: callers give it nodes and edges. It must
// not import any stage of meshc (config, source, compile, mesh, plan, state,
// render, github) and never prints.
package lineage
