package render

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/meshc-dev/meshc/pkg/result"
)

// Usage and scores in text, JSON and Markdown: one file for both kinds,
// each format's method next to the others'.

func (jsonFormat) Usage(w io.Writer, u *result.Usage, _ Options) error   { return JSON(w, u) }
func (jsonFormat) Scores(w io.Writer, s *result.Scores, _ Options) error { return JSON(w, s) }
func (textFormat) Usage(w io.Writer, u *result.Usage, _ Options) error {
	return usageReport(w, u, false)
}
func (markdownFormat) Usage(w io.Writer, u *result.Usage, _ Options) error {
	return usageReport(w, u, true)
}
func (textFormat) Scores(w io.Writer, s *result.Scores, _ Options) error {
	return scoreReport(w, s, false)
}
func (markdownFormat) Scores(w io.Writer, s *result.Scores, _ Options) error {
	return scoreReport(w, s, true)
}

func seen(t *time.Time) string {
	if t == nil {
		return "never"
	}
	return t.UTC().Format(time.DateOnly)
}

func consumerTags(c result.ConsumerUsage) string {
	var tags []string
	if c.Declared {
		tags = append(tags, "declared")
	}
	if c.Shadow {
		tags = append(tags, "shadow")
	}
	if c.Stale {
		tags = append(tags, "stale")
	}
	if c.Retiring {
		tags = append(tags, "reads a retiring product")
	}
	return strings.Join(tags, ", ")
}

func usageReport(w io.Writer, u *result.Usage, md bool) error {
	var b strings.Builder
	esc := func(s string) string { return s }
	if md {
		esc = text
		fmt.Fprintf(&b, "## Usage on %s\n\n", u.Today)
	} else {
		fmt.Fprintf(&b, "Usage on %s (a declared consumer unseen for %d days is stale)\n", u.Today, u.StaleDays)
	}
	for _, p := range u.Products {
		head := p.Product + " (" + p.Status
		if p.Sunset != "" {
			head += ", sunset " + p.Sunset
		}
		head += ")"
		if md {
			fmt.Fprintf(&b, "### %s\n\n| port | consumer | team | runs 7d | runs 30d | failed 30d | last seen | |\n|---|---|---|---|---|---|---|---|\n", esc(head))
		} else {
			fmt.Fprintf(&b, "\n%s\n", head)
		}
		for _, pt := range p.Ports {
			if !md {
				state := fmt.Sprintf("%d active in 7 days, %d in 30", pt.Active7, pt.Active30)
				if pt.Unused {
					state += "; unused"
				}
				fmt.Fprintf(&b, "  port %s: %s\n", pt.Port, state)
			}
			if md && len(pt.Consumers) == 0 {
				fmt.Fprintf(&b, "| %s | | | | | | | unused |\n", code(pt.Port))
			}
			for _, c := range pt.Consumers {
				tags := consumerTags(c)
				if md {
					team := ""
					if c.Team != "" {
						team = mention(c.Team)
					}
					fmt.Fprintf(&b, "| %s | %s | %s | %d | %d | %d | %s | %s |\n", code(pt.Port), code(c.Consumer), team, c.Runs7, c.Runs30, c.Failed30, seen(c.LastSeen), esc(tags))
					continue
				}
				team := ""
				if c.Team != "" {
					team = " " + c.Team
				}
				fmt.Fprintf(&b, "    %s%s: %d runs in 7 days, %d in 30 (%d failed), last seen %s [%s]\n", c.Consumer, team, c.Runs7, c.Runs30, c.Failed30, seen(c.LastSeen), tags)
			}
		}
		if md {
			b.WriteString("\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func scoreReport(w io.Writer, s *result.Scores, md bool) error {
	var b strings.Builder
	var levels []string
	for _, l := range s.Levels {
		levels = append(levels, fmt.Sprintf("%s %g", l.Name, l.Min))
	}
	if md {
		b.WriteString("## Scorecards\n\n| product | score | level | change | failed checks |\n|---|---|---|---|---|\n")
	} else {
		fmt.Fprintf(&b, "Scorecards (levels: %s)\n", strings.Join(levels, ", "))
	}
	for _, p := range s.Products {
		change := ""
		if p.Previous != nil {
			change = fmt.Sprintf("%+.1f", p.Score-*p.Previous)
			if p.Score == *p.Previous {
				change = "="
			}
		}
		var failed []string
		for _, c := range p.Checks {
			if !c.Passed {
				failed = append(failed, c.ID+": "+c.Detail)
			}
		}
		if md {
			fmt.Fprintf(&b, "| %s | %g | %s | %s | %s |\n", code(p.Product), p.Score, text(p.Level), change, text(strings.Join(failed, "; ")))
			continue
		}
		line := fmt.Sprintf("\n%s  %g %s", p.Product, p.Score, p.Level)
		if change != "" {
			line += " (" + change + ")"
		}
		b.WriteString(strings.TrimRight(line, " ") + "\n")
		for _, c := range p.Checks {
			mark := "ok  "
			if !c.Passed {
				mark = "FAIL"
			}
			fmt.Fprintf(&b, "  %s %s (weight %g)", mark, c.ID, c.Weight)
			if c.Detail != "" {
				b.WriteString(": " + c.Detail)
			}
			b.WriteString("\n")
		}
	}
	for _, g := range []struct {
		label string
		rs    []result.RollUp
	}{{"domains", s.Domains}, {"teams", s.Teams}} {
		if len(g.rs) == 0 {
			continue
		}
		if md {
			fmt.Fprintf(&b, "\n| %s | products | mean score | level |\n|---|---|---|---|\n", g.label)
		} else {
			fmt.Fprintf(&b, "\nBy %s:\n", strings.TrimSuffix(g.label, "s"))
		}
		for _, r := range g.rs {
			if md {
				fmt.Fprintf(&b, "| %s | %d | %g | %s |\n", text(r.Name), r.Products, r.Score, text(r.Level))
			} else {
				fmt.Fprintf(&b, "  %s: %g %s (%d products)\n", r.Name, r.Score, r.Level, r.Products)
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
