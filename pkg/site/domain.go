package site

import (
	"fmt"
	"html/template"
	"slices"

	"github.com/meshc-dev/meshc/pkg/catalog"
)

type ownedRow struct {
	ID, Href, Title, Status, Version string
	Consumers                        int
	Level                            *levelBadge
}

// ownedTable is the table of the products a domain or team owns; Scored
// adds their scores.
type ownedTable struct {
	Rows   []ownedRow
	Scored bool
}

type domainView struct {
	D        *catalog.Domain
	Team     team
	Products ownedTable
	Outside  []consumerRow
	RollUp   *rollUp
	Lineage  template.HTML
	Cut      int
}

func (b *builder) owned(ids []string, from string) ownedTable {
	t := ownedTable{Scored: b.scores.on}
	for _, id := range ids {
		p := b.m.Products[id]
		t.Rows = append(t.Rows, ownedRow{ID: id, Href: b.productHref(from, id), Title: p.Title, Status: p.Status,
			Version: p.Version, Consumers: len(b.readers[id]), Level: b.scores.productBadge(id)})
	}
	return t
}

// outside returns the products outside owner's products that read them
// directly, with their teams and what they read.
func (b *builder) outside(ids []string, from string) []consumerRow {
	own := map[string]bool{}
	for _, id := range ids {
		own[id] = true
	}
	var rows []consumerRow
	for _, id := range ids {
		for _, r := range b.readers[id] {
			if own[r] {
				continue
			}
			reads := ""
			for _, name := range catalog.SortedKeys(b.m.Products[r].InputPorts) {
				if in := b.m.Products[r].InputPorts[name]; in.Product == id {
					reads = in.Port
					break
				}
			}
			rows = append(rows, consumerRow{ID: r, Href: b.productHref(from, r), Team: b.teamOf(domainOf(r), from),
				Via: id, ViaHref: b.productHref(from, id), Reads: reads})
		}
	}
	return rows
}

func (b *builder) domainPages() error {
	for _, name := range b.domainNames() {
		path := b.domains.path(name)
		d := b.m.Domains[name]
		if d == nil {
			d = &catalog.Domain{Name: name, Description: "This domain is named by its products but not declared."}
		}
		ids := b.productsOf(name)
		g, cut := b.domainGraph(name, path)
		svg, err := b.svg(g, "lineage-"+name, "Lineage of domain "+name)
		if err != nil {
			return err
		}
		v := domainView{D: d, Team: b.teamOf(name, path), Products: b.owned(ids, path), Outside: b.outside(ids, path), Lineage: svg, Cut: cut,
			RollUp: b.scores.rollUp(b.scores.domains[name])}
		if err := b.render("domain", path, "Domain "+name, v, "", ""); err != nil {
			return err
		}
	}
	return nil
}

type teamView struct {
	Team     team
	Domains  []struct{ Name, Href string }
	Products ownedTable
	Outside  []consumerRow
	RollUp   *rollUp
}

// teamDomains returns the domains each team owns, by team key.
func (b *builder) teamDomains() map[string][]string {
	out := map[string][]string{}
	for _, name := range b.domainNames() {
		k := teamKey(b.domainTeam(name))
		out[k] = append(out[k], name)
	}
	return out
}

func (b *builder) teamPages() error {
	byTeam := b.teamDomains()
	for _, key := range b.teamKeys() {
		path := b.teams.path(key)
		domains := byTeam[key]
		v := teamView{Team: b.teamOf(domains[0], path), RollUp: b.scores.rollUp(b.scores.teams[key])}
		var ids []string
		for _, d := range domains {
			v.Domains = append(v.Domains, struct{ Name, Href string }{d, rel(path, b.domains.path(d))})
			ids = append(ids, b.productsOf(d)...)
		}
		slices.Sort(ids)
		v.Products, v.Outside = b.owned(ids, path), b.outside(ids, path)
		if err := b.render("team", path, "Team "+v.Team.Name, v, "", ""); err != nil {
			return err
		}
	}
	return nil
}

type listRow struct {
	Name, Href, Note    string
	Team                team
	Products, Consumers int
	RollUp              *rollUp
}

type listView struct {
	Heading, Kind string
	Rows          []listRow
	Scored        bool
}

// lists writes the pages that list every domain and every team.
func (b *builder) lists() error {
	dv := listView{Heading: "Domains", Kind: "Domain", Scored: b.scores.on}
	for _, name := range b.domainNames() {
		ids := b.productsOf(name)
		note := ""
		if d := b.m.Domains[name]; d != nil && d.Title != "" && d.Title != name {
			note = d.Title
		}
		dv.Rows = append(dv.Rows, listRow{Name: name, Href: b.domains.path(name), Note: note, Team: b.teamOf(name, "domains.html"),
			Products: len(ids), Consumers: len(b.outside(ids, "domains.html")), RollUp: b.scores.rollUp(b.scores.domains[name])})
	}
	if err := b.render("list", "domains.html", "Domains", dv, "", ""); err != nil {
		return err
	}
	tv := listView{Heading: "Teams", Kind: "Team", Scored: b.scores.on}
	byTeam := b.teamDomains()
	for _, key := range b.teamKeys() {
		var ids []string
		for _, d := range byTeam[key] {
			ids = append(ids, b.productsOf(d)...)
		}
		t := b.teamOf(byTeam[key][0], "teams.html")
		tv.Rows = append(tv.Rows, listRow{Name: t.Name, Href: t.Href, Note: fmt.Sprintf("%d domains", len(byTeam[key])), Team: t,
			Products: len(ids), Consumers: len(b.outside(ids, "teams.html")), RollUp: b.scores.rollUp(b.scores.teams[key])})
	}
	return b.render("list", "teams.html", "Teams", tv, "", "")
}
