// Package rule is meshc's one list of rules: every check that reports a
// diagnostic or a breaking change is a Rule with a stable ID, the code its
// diagnostics carry, the stage that enforces it, a one-line purpose and an
// explanation with an example. The package that owns a rule's handler
// registers it, once, next to the handler (mesh rules in check, schema and
// source in compile, rules of change and lifecycle in plan), and runs its
// handlers from what it registered; `meshc rules`, the README's tables and
// the check of mesh.cue's waivers all read this list.
//
// It also checks waivers (CheckWaivers): a waiver must name a registered
// rule or code and a domain or product that exists.
//
// It is a leaf: it imports only diag and fuzzy, never a stage, so
// every stage can register into it. It never prints.
package rule
