//go:build race

package engine

// raceEnabled is true under the race detector, which makes big tests slow.
const raceEnabled = true
