package score

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/cuecontext"

	schema "github.com/meshc-dev/meshc/cue"
	"github.com/meshc-dev/meshc/pkg/catalog"
	"github.com/meshc-dev/meshc/pkg/config"
	"github.com/meshc-dev/meshc/pkg/result"
	"github.com/meshc-dev/meshc/pkg/rule"
	"github.com/meshc-dev/meshc/pkg/state"
	"github.com/meshc-dev/meshc/pkg/usage"
)

// Scorecard is the platform's #Scorecard.
type Scorecard struct {
	Checks map[string]Check   `json:"checks"`
	Levels map[string]float64 `json:"levels"`
}

// Check is one check: its kind, weight and parameters.
type Check struct {
	Kind     string  `json:"kind"`
	Title    string  `json:"title"`
	Weight   float64 `json:"weight"`
	MinWords int     `json:"minWords"`
	Days     int     `json:"days"`
}

// kinds are the checks a scorecard may use, with what each says.
var kinds = map[string]string{
	"description":       "the product's description has at least minWords words (default 8)",
	"slo":               "the product declares an SLO",
	"support":           "the owning team gives a support e-mail",
	"fields-documented": "every field of every output port has a description of at least minWords words (default 2)",
	"consumers":         "at least one product declares an input port on it",
	"observed-usage":    "someone was observed reading one of its ports in the last days (default 30)",
	"no-shadow":         "no consumer observed in the last days (default 30) is undeclared",
	"tags":              "the product has at least one tag",
}

var checkID = regexp.MustCompile(`^[a-z][a-z-]{0,40}$`)

// Load reads #Scorecard from the platform's policies; nil when they
// declare none. Each check is registered as the rule score-ID.
func Load(cfg *config.Config) (*Scorecard, error) {
	if cfg.Platform.Policies == "" {
		return nil, nil
	}
	files, err := schema.Files()
	if err != nil {
		return nil, err
	}
	inst, err := schema.Instance(files)
	if err != nil {
		return nil, err
	}
	names, _ := filepath.Glob(filepath.Join(cfg.Abs(cfg.Platform.Policies), "*.cue"))
	for _, n := range names {
		src, err := os.ReadFile(n)
		if err != nil {
			return nil, fmt.Errorf("platform.policies: %w", err)
		}
		if err := inst.AddFile(cfg.Rel(n), src); err != nil {
			return nil, fmt.Errorf("platform.policies: %w", err)
		}
	}
	v := cuecontext.New().BuildInstance(inst)
	if err := v.Err(); err != nil {
		return nil, fmt.Errorf("platform.policies: %w", err)
	}
	sv := v.LookupPath(cue.MakePath(cue.Def("Scorecard")))
	if !sv.Exists() {
		return nil, nil
	}
	if err := sv.Validate(cue.Concrete(true)); err != nil {
		return nil, fmt.Errorf("#Scorecard: %w", err)
	}
	raw, err := sv.MarshalJSON()
	if err != nil {
		return nil, fmt.Errorf("#Scorecard: %w", err)
	}
	var sc Scorecard
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&sc); err != nil {
		return nil, fmt.Errorf("#Scorecard (%s): %w", sv.Pos(), err)
	}
	pos := sv.Pos().String()
	for _, id := range catalog.SortedKeys(sc.Checks) {
		c := sc.Checks[id]
		if !checkID.MatchString(id) {
			return nil, fmt.Errorf("%s: #Scorecard.checks.%s: a check's ID is lower-case words joined by '-'", pos, id)
		}
		if _, ok := kinds[c.Kind]; !ok {
			return nil, fmt.Errorf("%s: #Scorecard.checks.%s: unknown kind %q: use one of %s", pos, id, c.Kind, strings.Join(slices.Sorted(maps.Keys(kinds)), ", "))
		}
		if c.Weight <= 0 {
			return nil, fmt.Errorf("%s: #Scorecard.checks.%s: weight must be positive", pos, id)
		}
		title := cmp.Or(c.Title, id)
		rule.Ensure(rule.Rule{ID: "score-" + id, Code: "score", Stage: rule.Score,
			Purpose:     title + " (the platform's scorecard, weight " + trim(c.Weight) + ")",
			Explanation: "A check of the platform's #Scorecard (" + pos + "), of kind " + c.Kind + ": " + kinds[c.Kind] + ".\nmeshc score shows which products pass it; it blocks nothing."})
	}
	for name, min := range sc.Levels {
		if min < 0 || min > 100 {
			return nil, fmt.Errorf("%s: #Scorecard.levels.%s: a threshold is a score from 0 to 100", pos, name)
		}
	}
	return &sc, nil
}

func trim(f float64) string { return strings.TrimSuffix(fmt.Sprintf("%.2f", f), ".00") }

// Options tunes Score.
type Options struct {
	Today time.Time
	// Usage is the observed usage, for observed-usage and no-shadow.
	Usage []state.UsageAggregate
	// Previous are the scores the last apply recorded, by product.
	Previous map[string]float64
	// Product and Domain narrow the products scored.
	Product, Domain string
}

// Score scores m's products.
func (sc *Scorecard) Score(m *catalog.Mesh, o Options) *result.Scores {
	out := &result.Scores{Levels: sc.levels(), Products: []result.ProductScore{}, Domains: []result.RollUp{}, Teams: []result.RollUp{}}
	rep := usage.Report(m, o.Usage, usage.ReportOptions{Today: o.Today, StaleDays: 30})
	byProduct := map[string]result.ProductUsage{}
	for _, p := range rep.Products {
		byProduct[p.Product] = p
	}
	consumers := map[string]int{}
	for _, p := range m.Products {
		for _, in := range p.InputPorts {
			if in.Product != p.ID {
				consumers[in.Product]++
			}
		}
	}
	domains, teams := map[string][]float64{}, map[string][]float64{}
	for _, id := range m.ProductIDs() {
		p := m.Products[id]
		if (o.Product != "" && id != o.Product) || (o.Domain != "" && p.Domain != o.Domain) {
			continue
		}
		d := m.Domains[p.Domain]
		ps := result.ProductScore{Product: id, Domain: p.Domain, Checks: []result.CheckScore{}}
		if d != nil {
			ps.Team = d.Team.GitHub
		}
		var total, got float64
		for _, cid := range catalog.SortedKeys(sc.Checks) {
			c := sc.Checks[cid]
			ok, why := c.run(p, d, consumers[id], byProduct[id], o.Today)
			total += c.Weight
			if ok {
				got += c.Weight
			}
			ps.Checks = append(ps.Checks, result.CheckScore{ID: "score-" + cid, Title: cmp.Or(c.Title, cid), Weight: c.Weight, Passed: ok, Detail: why})
		}
		if total > 0 {
			ps.Score = round(100 * got / total)
		}
		ps.Level = level(out.Levels, ps.Score)
		if prev, ok := o.Previous[id]; ok {
			ps.Previous = &prev
		}
		out.Products = append(out.Products, ps)
		domains[p.Domain] = append(domains[p.Domain], ps.Score)
		if ps.Team != "" {
			teams[ps.Team] = append(teams[ps.Team], ps.Score)
		}
	}
	out.Domains = rollUps(domains, out.Levels)
	out.Teams = rollUps(teams, out.Levels)
	return out
}

func (sc *Scorecard) levels() []result.Level {
	ls := []result.Level{}
	for name, min := range sc.Levels {
		ls = append(ls, result.Level{Name: name, Min: min})
	}
	slices.SortFunc(ls, func(a, b result.Level) int { return cmp.Or(cmp.Compare(a.Min, b.Min), cmp.Compare(a.Name, b.Name)) })
	return ls
}

func level(ls []result.Level, score float64) string {
	name := ""
	for _, l := range ls {
		if score >= l.Min {
			name = l.Name
		}
	}
	return name
}

func rollUps(groups map[string][]float64, ls []result.Level) []result.RollUp {
	out := []result.RollUp{}
	for _, name := range catalog.SortedKeys(groups) {
		var sum float64
		for _, s := range groups[name] {
			sum += s
		}
		mean := round(sum / float64(len(groups[name])))
		out = append(out, result.RollUp{Name: name, Products: len(groups[name]), Score: mean, Level: level(ls, mean)})
	}
	return out
}

func round(f float64) float64 { return float64(int(f*10+0.5)) / 10 }

// run runs one check on p.
func (c Check) run(p *catalog.Product, d *catalog.Domain, consumers int, u result.ProductUsage, today time.Time) (bool, string) {
	days := cmp.Or(c.Days, 30)
	from := today.UTC().AddDate(0, 0, -(days - 1)).Format(time.DateOnly)
	switch c.Kind {
	case "description":
		min := cmp.Or(c.MinWords, 8)
		if n := len(strings.Fields(p.Description)); n < min {
			return false, fmt.Sprintf("the description has %d words, fewer than %d", n, min)
		}
	case "slo":
		if p.SLO == nil {
			return false, "no slo"
		}
	case "support":
		if d == nil || d.Team.Email == "" {
			return false, "the team gives no e-mail"
		}
	case "fields-documented":
		min := cmp.Or(c.MinWords, 2)
		for _, port := range catalog.SortedKeys(p.OutputPorts) {
			for _, f := range catalog.SortedKeys(p.OutputPorts[port].Schema) {
				if len(strings.Fields(p.OutputPorts[port].Schema[f].Description)) < min {
					return false, fmt.Sprintf("field %s of port %s has a description of fewer than %d words", f, port, min)
				}
			}
		}
	case "consumers":
		if consumers == 0 {
			return false, "no product declares an input port on it"
		}
	case "observed-usage", "no-shadow":
		seen, shadows := false, []string{}
		for _, pt := range u.Ports {
			for _, cu := range pt.Consumers {
				if cu.LastSeen == nil || cu.LastSeen.Format(time.DateOnly) < from {
					continue
				}
				seen = true
				if cu.Shadow {
					shadows = append(shadows, cu.Consumer)
				}
			}
		}
		if c.Kind == "observed-usage" && !seen {
			return false, fmt.Sprintf("no one was observed reading it in %d days", days)
		}
		if c.Kind == "no-shadow" && len(shadows) > 0 {
			slices.Sort(shadows)
			return false, "shadow consumers: " + strings.Join(slices.Compact(shadows), ", ")
		}
	case "tags":
		if len(p.Tags) == 0 {
			return false, "no tags"
		}
	}
	return true, ""
}
