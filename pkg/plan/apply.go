package plan

import (
	"fmt"
	"maps"
	"math"
	"time"

	"github.com/meshc-dev/meshc/pkg/catalog"
	"github.com/meshc-dev/meshc/pkg/diag"
	"github.com/meshc-dev/meshc/pkg/rule"
	"github.com/meshc-dev/meshc/pkg/state"
)

var _ = rule.Register(rule.Rule{
	ID: "stale-plan", Code: "stale-plan", Stage: rule.Apply,
	Purpose: "a saved plan is applied only to the live catalog it was made against",
	Explanation: `meshc plan -out saves a plan with the serial and lineage of the live
catalog it was made against. Applying it after another apply moved the
catalog on would overwrite that apply's changes with a plan nobody reviewed
against them, so meshc apply refuses it (exit 1), and writes nothing:

  $ meshc apply plan.json
  stale-plan: the plan was made against live catalog serial 1, but it is now at serial 2: run meshc plan again

Make the plan again (meshc plan -out plan.json), review it, and apply that.
A stale plan cannot be waived.`,
})

// StaleError is a saved plan whose live catalog has moved on since.
type StaleError struct {
	PlanSerial, LiveSerial   int64
	PlanLineage, LiveLineage string
}

// Diagnostic reports e under the stale-plan rule.
func (e *StaleError) Diagnostic() diag.Diagnostic {
	return diag.Errorf("stale-plan", "%v", e)
}

func (e *StaleError) Error() string {
	if e.PlanLineage != e.LiveLineage {
		return fmt.Sprintf("the plan was made against another live catalog (lineage %s, live is %s): run meshc plan again",
			orNone(e.PlanLineage), orNone(e.LiveLineage))
	}
	return fmt.Sprintf("the plan was made against live catalog serial %d, but it is now at serial %d: run meshc plan again",
		e.PlanSerial, e.LiveSerial)
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// CheckFresh returns a *StaleError unless p was made against live as it is.
func (p *Plan) CheckFresh(live *state.Catalog) error {
	if p.LiveSerial != live.Serial || p.Lineage != live.Lineage {
		return &StaleError{PlanSerial: p.LiveSerial, LiveSerial: live.Serial, PlanLineage: p.Lineage, LiveLineage: live.Lineage}
	}
	return nil
}

// Apply returns the catalog that applying p to live makes: the desired
// products and domains, their bookkeeping, and a history entry. live is not
// changed. The caller writes the result under the store's lock, with
// live.Serial as the expected serial.
func (p *Plan) Apply(live *state.Catalog, user string, now time.Time) (*state.Catalog, error) {
	if p.Diagnostics.HasErrors() {
		return nil, fmt.Errorf("the plan has errors and cannot be applied")
	}
	if err := p.CheckFresh(live); err != nil {
		return nil, err
	}
	if (live.Part() != nil) != p.part {
		return nil, fmt.Errorf("a plan made against part of the live catalog is applied to such a part, and one made against the whole to the whole")
	}
	if p.Desired == nil {
		return nil, fmt.Errorf("the plan holds no desired catalog (was it saved with meshc plan -out?)")
	}
	if live.Serial == math.MaxInt64 {
		return nil, &state.CorruptError{Reason: fmt.Sprintf("serial %d has no successor: no write can follow it", live.Serial)}
	}
	next := &state.Catalog{
		FormatVersion: live.FormatVersion,
		Lineage:       live.Lineage,
		Serial:        live.Serial + 1,
		Domains:       map[string]*catalog.Domain{},
		Products:      maps.Clone(p.Desired.Products),
		Meta:          map[string]state.ProductMeta{},
		History:       append([]state.Entry(nil), live.History...),
	}
	next.KeepPart(live) // a part stays one, written as what it changes
	if next.FormatVersion == "" {
		next.FormatVersion = state.New().FormatVersion
	}
	for id, pr := range next.Products {
		if d := p.Desired.Domains[pr.Domain]; d != nil {
			next.Domains[pr.Domain] = d
		}
		if m, ok := live.Meta[id]; ok {
			next.Meta[id] = m
		}
	}
	today := now.UTC().Format(time.DateOnly)
	var changes []state.ProductChange
	for _, c := range p.Changes {
		if c.Action != NoOp {
			pc := state.ProductChange{Product: c.Product, Action: c.Action, Breaking: len(c.Breaking) > 0}
			if c.After != nil {
				pc.Version = c.After.Version
			}
			changes = append(changes, pc)
		}
		m := next.Meta[c.Product]
		switch c.Action {
		case Create:
			m.CreatedSerial, m.UpdatedSerial = next.Serial, next.Serial
		case Update:
			m.UpdatedSerial = next.Serial
		case Delete:
			delete(next.Meta, c.Product)
			continue
		}
		if c.After != nil {
			switch {
			case c.After.Status != catalog.StatusDeprecated && c.After.Status != catalog.StatusRetired:
				m.DeprecatedOn = ""
			case c.After.Status == catalog.StatusDeprecated && m.DeprecatedOn == "":
				m.DeprecatedOn = today
			}
		}
		next.Meta[c.Product] = m
	}
	sources := map[string]catalog.Source{}
	for name, s := range p.Sources {
		sources[name] = catalog.Source(s)
	}
	next.History = append(next.History, state.Entry{
		Serial:  next.Serial,
		Time:    now.UTC(),
		User:    user,
		Sources: sources,
		Summary: state.Summary(p.Summary),
		Changes: changes,
		Scores:  scoreMap(p.Scores),
	})
	return next, nil
}

// scoreMap is the scores a history entry records, by product; nil for none.
func scoreMap(scores []Score) map[string]float64 {
	if len(scores) == 0 {
		return nil
	}
	m := make(map[string]float64, len(scores))
	for _, s := range scores {
		m[s.Product] = s.Score
	}
	return m
}
