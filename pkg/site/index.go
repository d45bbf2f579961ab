package site

import (
	"cmp"
	"encoding/json"
	"html/template"
	"maps"
	"slices"

	"github.com/meshc-dev/meshc/pkg/catalog"
)

// indexDoc is the search index the index page carries: short keys, and
// field names once each, numbered, so that 10,000 products stay small.
type indexDoc struct {
	Fields   []string     `json:"fields"`
	Products []indexEntry `json:"products"`
}

type indexEntry struct {
	ID             string   `json:"id"`
	Title          string   `json:"t"`
	Description    string   `json:"d"`
	Domain         string   `json:"dm"`
	Team           string   `json:"tm"`
	Status         string   `json:"st"`
	Classification string   `json:"cl"`
	PortTypes      []string `json:"pt,omitempty"`
	Tags           []string `json:"tg,omitempty"`
	Fields         []int    `json:"f,omitempty"`
	Level          string   `json:"lv,omitempty"`
}

type option struct{ Value, Label string }

type filters struct {
	Domains, Teams, Statuses, Classifications, PortTypes, Tags, Levels []option
}

type indexRow struct {
	ID, Href, Title, Description, Status, Classification string
	Domain, DomainHref                                   string
	Team                                                 team
	Tags                                                 []string
	Level                                                *levelBadge
}

type indexView struct {
	Rows           []indexRow
	Domains, Teams int
	Filters        filters
}

func (b *builder) index() error {
	const path = "index.html"
	doc := indexDoc{Products: []indexEntry{}}
	fieldIndex := map[string]int{}
	v := indexView{Domains: len(b.domainNames()), Teams: len(b.teamKeys())}
	sets := map[string]map[string]bool{"status": {}, "class": {}, "port": {}, "tag": {}}
	for _, id := range b.ids {
		p := b.m.Products[id]
		t := b.teamOf(p.Domain, path)
		e := indexEntry{ID: id, Title: p.Title, Description: p.Description, Domain: p.Domain, Team: t.Key,
			Status: p.Status, Classification: p.Classification, Tags: p.Tags}
		names := map[string]bool{}
		for _, port := range catalog.SortedKeys(p.OutputPorts) {
			op := p.OutputPorts[port]
			if !slices.Contains(e.PortTypes, op.Type) {
				e.PortTypes = append(e.PortTypes, op.Type)
			}
			sets["port"][op.Type] = true
			fieldNames(op.Schema, names)
		}
		for _, name := range slices.Sorted(maps.Keys(names)) {
			i, ok := fieldIndex[name]
			if !ok {
				i = len(doc.Fields)
				fieldIndex[name] = i
				doc.Fields = append(doc.Fields, name)
			}
			e.Fields = append(e.Fields, i)
		}
		if ps := b.scores.products[id]; ps != nil {
			e.Level = cmp.Or(ps.Level, noLevel)
		}
		doc.Products = append(doc.Products, e)
		sets["status"][p.Status] = true
		sets["class"][p.Classification] = true
		for _, tag := range p.Tags {
			sets["tag"][tag] = true
		}
		v.Rows = append(v.Rows, indexRow{
			ID: id, Href: b.productHref(path, id), Title: orID(p.Title, id), Description: p.Description,
			Status: p.Status, Classification: p.Classification, Domain: p.Domain,
			DomainHref: rel(path, b.domains.path(p.Domain)), Team: t, Tags: p.Tags,
			Level: b.scores.productBadge(id),
		})
	}
	for _, name := range b.domainNames() {
		label := name
		if d := b.m.Domains[name]; d != nil && d.Title != "" {
			label = d.Title + " (" + name + ")"
		}
		v.Filters.Domains = append(v.Filters.Domains, option{name, label})
	}
	for _, key := range b.teamKeys() {
		v.Filters.Teams = append(v.Filters.Teams, option{key, key})
	}
	opts := func(set map[string]bool) []option {
		var out []option
		for _, s := range slices.Sorted(maps.Keys(set)) {
			out = append(out, option{s, s})
		}
		return out
	}
	v.Filters.Statuses = opts(sets["status"])
	v.Filters.Classifications = opts(sets["class"])
	v.Filters.PortTypes = opts(sets["port"])
	v.Filters.Tags = opts(sets["tag"])
	if b.scores.on {
		// The best level first, as the badges rank them.
		for i := len(b.scores.levels) - 1; i >= 0; i-- {
			name := b.scores.levels[i].Name
			v.Filters.Levels = append(v.Filters.Levels, option{name, name})
		}
		v.Filters.Levels = append(v.Filters.Levels, option{noLevel, "No level"})
	}
	// json.Marshal escapes <, > and &: the index cannot end its script
	// element early.
	data, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	return b.render("index", path, "Data products", v, template.JS(data), template.JS(searchJS))
}

// fieldNames adds the names of schema's fields, nested ones included.
func fieldNames(schema map[string]catalog.Field, names map[string]bool) {
	for name, f := range schema {
		names[name] = true
		fieldNames(f.Fields, names)
		for it := f.Items; it != nil; it = it.Items {
			fieldNames(it.Fields, names)
		}
	}
}

// noLevel is the level filter's value for a scored product below every
// level.
const noLevel = "-"

func orID(title, id string) string {
	if title == "" {
		return id
	}
	return title
}
