package site

import (
	"fmt"
	"html/template"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/meshc-dev/meshc/pkg/result"
	"github.com/meshc-dev/meshc/pkg/state"
)

// The scorecards and observed usage the site shows are the engine's
// results (meshc score, meshc usage), passed in through Options as plain
// data: the site computes neither.

// maxTrend is the most recorded scores a product page's trend shows, the
// newest ones.
const maxTrend = 30

// scoreView is a product's scorecard as its page shows it.
type scoreView struct {
	Score      string
	Level      string
	LevelClass string
	Checks     []result.CheckScore
	Passed     int
	Trend      []trendRow
	Spark      template.HTML
}

// trendRow is one score the history recorded for a product, or its
// current one (Serial 0).
type trendRow struct {
	Serial int64
	Date   string
	Score  string
	Change string
}

// levelBadge is a level with the class that colours it by rank.
type levelBadge struct{ Level, Class string }

// usageView is a product's observed usage as its page shows it.
type usageView struct {
	Today     string
	StaleDays int
	Ports     []portUsageView
	Shadow    int
}

type portUsageView struct {
	Port              string
	Active7, Active30 int
	Unused            bool
	Consumers         []consumerUsageView
}

type consumerUsageView struct {
	Consumer, Href          string
	Team                    team
	Declared                bool
	Runs7, Runs30, Failed30 int64
	LastSeen                string
	Shadow, Stale, Retiring bool
}

// scores indexes Options.Scores and Options.Usage by product, domain and
// team.
type scores struct {
	on       bool
	levels   []result.Level
	products map[string]*result.ProductScore
	domains  map[string]*result.RollUp
	teams    map[string]*result.RollUp
	usage    map[string]*result.ProductUsage
	trends   map[string][]trendRow // product -> recorded scores, oldest first
}

func indexScores(o Options) *scores {
	s := &scores{products: map[string]*result.ProductScore{}, domains: map[string]*result.RollUp{},
		teams: map[string]*result.RollUp{}, usage: map[string]*result.ProductUsage{}, trends: map[string][]trendRow{}}
	if sc := o.Scores; sc != nil {
		s.on, s.levels = true, sc.Levels
		for i := range sc.Products {
			s.products[sc.Products[i].Product] = &sc.Products[i]
		}
		for i := range sc.Domains {
			s.domains[sc.Domains[i].Name] = &sc.Domains[i]
		}
		for i := range sc.Teams {
			s.teams[sc.Teams[i].Name] = &sc.Teams[i]
		}
		s.trends = trendsOf(o.Live)
	}
	if u := o.Usage; u != nil {
		for i := range u.Products {
			s.usage[u.Products[i].Product] = &u.Products[i]
		}
	}
	return s
}

// trendsOf collects the scores the live catalog's history recorded on
// apply, per product, oldest first.
func trendsOf(live *state.Catalog) map[string][]trendRow {
	out := map[string][]trendRow{}
	if live == nil {
		return out
	}
	for _, e := range live.History {
		for id, sc := range e.Scores {
			out[id] = append(out[id], trendRow{Serial: e.Serial, Date: e.Time.UTC().Format("2006-01-02"), Score: num(sc)})
		}
	}
	return out
}

// badge returns the badge of a level: the highest level is class lv1, the
// next lv2, and so on down to lv3; no level is lv0.
func (s *scores) badge(level string) levelBadge {
	if level == "" {
		return levelBadge{Level: "no level", Class: "lv0"}
	}
	for i := len(s.levels) - 1; i >= 0; i-- {
		if s.levels[i].Name == level {
			return levelBadge{Level: level, Class: "lv" + strconv.Itoa(min(len(s.levels)-i, 3))}
		}
	}
	return levelBadge{Level: level, Class: "lv0"}
}

// rollUp is a domain's or team's mean score as its page shows it.
type rollUp struct {
	Score    string
	Products int
	Badge    levelBadge
}

func (s *scores) rollUp(r *result.RollUp) *rollUp {
	if r == nil {
		return nil
	}
	return &rollUp{Score: num(r.Score), Products: r.Products, Badge: s.badge(r.Level)}
}

// productBadge is the level badge of a product, nil when it has no score.
func (s *scores) productBadge(id string) *levelBadge {
	p := s.products[id]
	if p == nil {
		return nil
	}
	b := s.badge(p.Level)
	b.Level = num(p.Score) + " " + b.Level
	return &b
}

func (b *builder) scoreOf(id string) *scoreView {
	p := b.scores.products[id]
	if p == nil {
		return nil
	}
	lb := b.scores.badge(p.Level)
	v := &scoreView{Score: num(p.Score), Level: lb.Level, LevelClass: lb.Class, Checks: p.Checks}
	for _, c := range p.Checks {
		if c.Passed {
			v.Passed++
		}
	}
	trend := b.scores.trends[id]
	if len(trend) > maxTrend {
		trend = trend[len(trend)-maxTrend:]
	}
	trend = append(trend[:len(trend):len(trend)], trendRow{Date: "now", Score: v.Score})
	var values []float64
	for i := range trend {
		f, _ := strconv.ParseFloat(trend[i].Score, 64)
		values = append(values, f)
		if i > 0 {
			trend[i].Change = change(values[i-1], f)
		}
	}
	v.Trend = trend
	v.Spark = sparkline(values, "Score trend of "+id)
	return v
}

func change(from, to float64) string {
	switch d := to - from; {
	case d > 0:
		return "+" + num(d)
	case d < 0:
		return num(d)
	}
	return "="
}

// sparkline draws scores (0-100) as bars, oldest first.
func sparkline(values []float64, title string) template.HTML {
	const w, h, gap = 10, 40, 3
	var sb strings.Builder
	fmt.Fprintf(&sb, `<svg class="spark" role="img" width="%d" height="%d" viewBox="0 0 %d %d"><title>%s</title>`,
		len(values)*(w+gap), h, len(values)*(w+gap), h, template.HTMLEscapeString(title))
	for i, v := range values {
		bh := max(1, int(v/100*h+0.5))
		fmt.Fprintf(&sb, `<rect x="%d" y="%d" width="%d" height="%d"></rect>`, i*(w+gap), h-bh, w, bh)
	}
	sb.WriteString(`</svg>`)
	return template.HTML(sb.String())
}

func (b *builder) usageOf(id, from string) *usageView {
	if b.o.Usage == nil {
		return nil
	}
	v := &usageView{Today: b.o.Usage.Today, StaleDays: b.o.Usage.StaleDays}
	pu := b.scores.usage[id]
	if pu == nil {
		return v
	}
	for _, port := range pu.Ports {
		pv := portUsageView{Port: port.Port, Active7: port.Active7, Active30: port.Active30, Unused: port.Unused}
		for _, c := range port.Consumers {
			cv := consumerUsageView{Consumer: c.Consumer, Href: b.productHref(from, c.Consumer), Declared: c.Declared,
				Runs7: c.Runs7, Runs30: c.Runs30, Failed30: c.Failed30, LastSeen: "never",
				Shadow: c.Shadow, Stale: c.Stale, Retiring: c.Retiring}
			if c.LastSeen != nil {
				cv.LastSeen = c.LastSeen.UTC().Format(time.DateOnly)
			}
			if _, ok := b.m.Products[c.Consumer]; ok {
				cv.Team = b.teamOf(domainOf(c.Consumer), from) // named as the consumers table names it
			} else if c.Team != "" {
				cv.Team = team{Key: c.Team}
				cv.Team.Name = c.Team
				if p, ok := b.teams.lookup(c.Team); ok {
					cv.Team.Href = rel(from, p)
				}
			}
			if c.Shadow {
				v.Shadow++
			}
			pv.Consumers = append(pv.Consumers, cv)
		}
		v.Ports = append(v.Ports, pv)
	}
	return v
}

// num formats a score: at most one decimal, none when whole.
func num(f float64) string { return strconv.FormatFloat(math.Round(f*10)/10, 'f', -1, 64) }
