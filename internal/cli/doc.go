// Package cli is meshc's command line: flag parsing, wiring of the core
// packages, printing and exit codes. It is the only package that prints.
package cli
