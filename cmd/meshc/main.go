// Command meshc compiles a data mesh's product catalog. See README.md.
package main

import (
	"os"
	"runtime/debug"

	"github.com/meshc-dev/meshc/internal/cli"
)

func main() {
	// CUE evaluation allocates heavily; with the default GOGC the collector
	// competes with the evaluating goroutines for the two cores a CI runner
	// has. A higher target trades some memory for time (see CUE-NOTES.md).
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	os.Exit(cli.Main())
}
