// Package arch holds no code: its test checks meshc's layering, the imports
// each package may and may not have (see DESIGN.md's data flow).
package arch
