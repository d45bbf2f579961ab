// Package scaffold writes the files of a new domain repository (`meshc
// init`): the domain's CUE with one example product, the GitHub workflows
// that plan its pull requests and apply its merges, and a README.
//
// The workflows are rendered from the same templates as the examples in
// actions/workflows, which a test keeps equal. scaffold only returns file
// contents; it never writes to disk, and imports nothing of meshc.
package scaffold
