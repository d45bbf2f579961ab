package rule

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"sync"

	"github.com/meshc-dev/meshc/pkg/fuzzy"
)

// Stage is where in meshc's pipeline a rule is enforced.
type Stage string

// The stages, in pipeline order.
const (
	Config  Stage = "config"  // mesh.cue itself
	Compile Stage = "compile" // each domain's CUE against the schema
	Mesh    Stage = "mesh"    // checks across products and domains
	Plan    Stage = "plan"    // the diff against the live catalog
	Score   Stage = "score"   // the platform's scorecard checks (registered when its policies load)
	Apply   Stage = "apply"   // writing the plan to the live catalog
)

// Stages returns every stage in pipeline order.
func Stages() []Stage { return []Stage{Config, Compile, Mesh, Plan, Score, Apply} }

func (s Stage) rank() int { return slices.Index(Stages(), s) }

// Rule describes one rule: what it checks and how its findings are reported.
type Rule struct {
	// ID is stable: users waive it and look it up (`meshc rules ID`).
	ID string `json:"id"`
	// Code is the diagnostic code the rule reports under; rules of one
	// family share it (field-removed reports under breaking-change, with
	// the rule's ID in the diagnostic's rule field).
	Code    string `json:"code"`
	Stage   Stage  `json:"stage"`
	Purpose string `json:"purpose"` // one line: what the rule guarantees
	// Explanation says when the rule fires, what the user sees, and how to
	// fix or waive it, with an example.
	Explanation string `json:"-"`
}

// idPattern is what mesh.cue's #Waiver accepts as a rule.
var idPattern = regexp.MustCompile(`^[a-z][a-z-]*$`)

// registry holds the registered rules.
type registry struct {
	mu    sync.Mutex
	rules []Rule
	byID  map[string]int
}

// std is the registry the stages register into.
var std registry

// Register adds r to the registry and returns it. It panics when r's ID is
// registered already or a field is missing: both are bugs, found when the
// program starts.
func Register(r Rule) Rule { return std.register(r) }

// Ensure registers r unless a rule with its ID is registered already, and
// returns the registered one: for rules a platform declares, registered
// each time its policies load.
func Ensure(r Rule) Rule {
	if have, ok := std.lookup(r.ID); ok {
		return have
	}
	return std.register(r)
}

// All returns every registered rule, by stage in pipeline order, then by
// ID: the order does not depend on which file registered what.
func All() []Rule { return std.all() }

// Lookup returns the rule with the given ID.
func Lookup(id string) (Rule, bool) { return std.lookup(id) }

// Suggest returns the registered ID or code closest to a misspelt one, or "".
func Suggest(id string) string { return std.suggest(id) }

// Known reports whether name is a registered rule ID or diagnostic code:
// what a waiver may name.
func Known(name string) bool { return std.known(name) }

func (g *registry) register(r Rule) Rule {
	switch {
	case !idPattern.MatchString(r.ID):
		panic(fmt.Sprintf("rule: ID %q must be lower-case words joined by '-'", r.ID))
	case !idPattern.MatchString(r.Code):
		panic(fmt.Sprintf("rule %s: code %q must be lower-case words joined by '-'", r.ID, r.Code))
	case r.Stage.rank() < 0:
		panic(fmt.Sprintf("rule %s: unknown stage %q", r.ID, r.Stage))
	case r.Purpose == "" || r.Explanation == "":
		panic(fmt.Sprintf("rule %s: needs a purpose and an explanation", r.ID))
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if _, dup := g.byID[r.ID]; dup {
		panic(fmt.Sprintf("rule %s is registered twice", r.ID))
	}
	if g.byID == nil {
		g.byID = map[string]int{}
	}
	g.byID[r.ID] = len(g.rules)
	g.rules = append(g.rules, r)
	return r
}

func (g *registry) all() []Rule {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := slices.Clone(g.rules)
	slices.SortFunc(out, func(a, b Rule) int {
		return cmp.Or(cmp.Compare(a.Stage.rank(), b.Stage.rank()), cmp.Compare(a.ID, b.ID))
	})
	return out
}

func (g *registry) lookup(id string) (Rule, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	i, ok := g.byID[id]
	if !ok {
		return Rule{}, false
	}
	return g.rules[i], true
}

// names returns every ID and code, sorted and once each.
func (g *registry) names() []string {
	var out []string
	for _, r := range g.all() {
		out = append(out, r.ID, r.Code)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func (g *registry) known(name string) bool {
	_, found := slices.BinarySearch(g.names(), name)
	return found
}

func (g *registry) suggest(id string) string {
	return fuzzy.Closest(id, g.names(), max(3, len(id)/3))
}

// Set is the registered rules and the rules of one run: those a
// platform's policies name, which exist only for the mesh whose policies
// they are. A nil *Set is the registered rules alone.
type Set struct {
	extra registry
}

// WithRules returns the registered rules with extra, a run's own. It
// panics like Register when an extra rule is malformed or its ID is taken:
// the caller checks names first (compile does, for policy rules).
func WithRules(extra []Rule) *Set {
	s := &Set{}
	for _, r := range extra {
		if _, taken := std.lookup(r.ID); taken {
			panic(fmt.Sprintf("rule %s is registered already", r.ID))
		}
		s.extra.register(r)
	}
	return s
}

// All returns the set's rules, in All's order.
func (s *Set) All() []Rule {
	out := std.all()
	if s == nil {
		return out
	}
	out = append(out, s.extra.all()...)
	slices.SortStableFunc(out, func(a, b Rule) int {
		return cmp.Or(cmp.Compare(a.Stage.rank(), b.Stage.rank()), cmp.Compare(a.ID, b.ID))
	})
	return out
}

// Lookup returns the rule of the set with the given ID.
func (s *Set) Lookup(id string) (Rule, bool) {
	if r, ok := std.lookup(id); ok || s == nil {
		return r, ok
	}
	return s.extra.lookup(id)
}

// Known reports whether name is a rule ID or code of the set.
func (s *Set) Known(name string) bool {
	return std.known(name) || (s != nil && s.extra.known(name))
}

// Suggest returns the set's ID or code closest to a misspelt one, or "".
func (s *Set) Suggest(id string) string {
	names := std.names()
	if s != nil {
		names = append(names, s.extra.names()...)
	}
	return fuzzy.Closest(id, names, max(3, len(id)/3))
}
