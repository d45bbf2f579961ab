package export

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"

	"github.com/meshc-dev/meshc/pkg/catalog"
)

var backstageFormat = Format{
	Name:    "backstage",
	Summary: "Backstage catalog entities (backstage.io/v1alpha1): Domain, System, Component, API, Group",
	run:     runBackstage,
}

const backstageAPIVersion = "backstage.io/v1alpha1"

type entity struct {
	APIVersion string   `json:"apiVersion" yaml:"apiVersion"`
	Kind       string   `json:"kind" yaml:"kind"`
	Metadata   metadata `json:"metadata" yaml:"metadata"`
	Spec       any      `json:"spec" yaml:"spec"`
}

type metadata struct {
	Name        string            `json:"name" yaml:"name"`
	Title       string            `json:"title,omitempty" yaml:"title,omitempty"`
	Description string            `json:"description,omitempty" yaml:"description,omitempty"`
	Tags        []string          `json:"tags,omitempty" yaml:"tags,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty" yaml:"annotations,omitempty"`
}

type domainSpec struct {
	Owner string `json:"owner" yaml:"owner"`
}

type systemSpec struct {
	Owner  string `json:"owner" yaml:"owner"`
	Domain string `json:"domain" yaml:"domain"`
}

type componentSpec struct {
	Type         string   `json:"type" yaml:"type"`
	Lifecycle    string   `json:"lifecycle" yaml:"lifecycle"`
	Owner        string   `json:"owner" yaml:"owner"`
	System       string   `json:"system" yaml:"system"`
	ProvidesApis []string `json:"providesApis,omitempty" yaml:"providesApis,omitempty"`
	ConsumesApis []string `json:"consumesApis,omitempty" yaml:"consumesApis,omitempty"`
}

type apiSpec struct {
	Type       string `json:"type" yaml:"type"`
	Lifecycle  string `json:"lifecycle" yaml:"lifecycle"`
	Owner      string `json:"owner" yaml:"owner"`
	System     string `json:"system" yaml:"system"`
	Definition string `json:"definition" yaml:"definition"`
}

type groupSpec struct {
	Type     string        `json:"type" yaml:"type"`
	Profile  *groupProfile `json:"profile,omitempty" yaml:"profile,omitempty"`
	Children []string      `json:"children" yaml:"children"`
}

type groupProfile struct {
	DisplayName string `json:"displayName,omitempty" yaml:"displayName,omitempty"`
	Email       string `json:"email,omitempty" yaml:"email,omitempty"`
}

// Lifecycle maps a product status to Backstage's lifecycle.
func Lifecycle(status string) string {
	switch status {
	case catalog.StatusActive:
		return "production"
	case catalog.StatusDeprecated, catalog.StatusRetired:
		return "deprecated"
	}
	return "experimental"
}

const annotation = "meshc.dev/"

// runBackstage writes, for each domain, _domain.yaml with its Domain; for
// each product, <product>.yaml with its System (the product), a Component
// of type data-product in it (Backstage draws consumesApis and providesApis
// for components only) and an API per output port whose definition is the
// port's ODCS contract; for each GitHub team, _groups/<team>.yaml with its
// Group.
func runBackstage(m *catalog.Mesh, o Options) (*Result, error) {
	res := &Result{Files: map[string][]byte{}}
	names := &backstageNames{losses: &res.Losses}
	put := func(name string, docs ...any) error {
		b, err := encodeAll(docs, o.JSON)
		if err == nil {
			res.Files[name+o.ext()] = b
		}
		return err
	}
	groups := map[string]entity{}
	for _, dn := range m.DomainNames() {
		d := m.Domains[dn]
		owner, group := ownerOf(d, names)
		if group != nil {
			if _, seen := groups[group.Metadata.Name]; !seen {
				groups[group.Metadata.Name] = *group
			}
		}
		ann := map[string]string{annotation + "team-name": d.Team.Name, annotation + "team-github": d.Team.GitHub}
		if d.Team.Email != "" {
			ann[annotation+"team-email"] = d.Team.Email
		}
		dom := entity{backstageAPIVersion, "Domain", metadata{
			Name: names.name(dn, dn, "domain"), Title: d.Title, Description: d.Description, Annotations: ann,
		}, domainSpec{Owner: owner}}
		if err := put(dn+"/_domain", dom); err != nil {
			return nil, err
		}
	}
	for _, id := range m.ProductIDs() {
		p := m.Products[id]
		owner, _ := ownerOf(m.Domains[p.Domain], names)
		docs, err := productEntities(m, p, owner, names)
		if err != nil {
			return nil, err
		}
		if err := put(p.Domain+"/"+p.Name, docs...); err != nil {
			return nil, err
		}
	}
	for _, name := range catalog.SortedKeys(groups) {
		if err := put("_groups/"+name, groups[name]); err != nil {
			return nil, err
		}
	}
	return res, nil
}

func productEntities(m *catalog.Mesh, p *catalog.Product, owner string, names *backstageNames) ([]any, error) {
	system := names.name(p.ID, p.ID, "name")
	lifecycle := Lifecycle(p.Status)
	ann := map[string]string{
		annotation + "id":             p.ID,
		annotation + "version":        p.Version,
		annotation + "status":         p.Status,
		annotation + "classification": p.Classification,
	}
	if p.SLO != nil {
		b, _ := json.Marshal(sloValue(p.SLO))
		ann[annotation+"slo"] = string(b)
	}
	if p.Deprecation != nil {
		ann[annotation+"sunset"] = p.Deprecation.Sunset
		ann[annotation+"deprecation-reason"] = p.Deprecation.Reason
		if p.Deprecation.ReplacedBy != "" {
			ann[annotation+"replaced-by"] = p.Deprecation.ReplacedBy
		}
	}
	meta := metadata{
		Name: system, Title: p.Title, Description: p.Description,
		Tags: names.tags(p), Annotations: ann,
	}
	docs := []any{entity{backstageAPIVersion, "System", meta, systemSpec{
		Owner: owner, Domain: "domain:default/" + names.name(p.Domain, p.Domain, "domain"),
	}}}
	comp := componentSpec{Type: "data-product", Lifecycle: lifecycle, Owner: owner, System: "system:default/" + system}
	var apis []any
	for _, port := range catalog.SortedKeys(p.OutputPorts) {
		op := p.OutputPorts[port]
		api := names.name(p.ID, ContractID(p.ID, port), "outputPorts."+port)
		comp.ProvidesApis = append(comp.ProvidesApis, "api:default/"+api)
		def, err := encode(ContractOf(m, p, port), false)
		if err != nil {
			return nil, err
		}
		ann := map[string]string{
			annotation + "port-type":  op.Type,
			annotation + "location":   op.Location,
			annotation + "visibility": op.Access.Visibility,
		}
		if op.Format != "" {
			ann[annotation+"format"] = op.Format
		}
		if len(op.Access.Allow) > 0 {
			ann[annotation+"allow"] = strings.Join(op.Access.Allow, ",")
		}
		apis = append(apis, entity{backstageAPIVersion, "API", metadata{
			Name: api, Title: p.Title + ": " + port, Description: op.Description, Annotations: ann,
		}, apiSpec{Type: "odcs", Lifecycle: lifecycle, Owner: owner, System: "system:default/" + system, Definition: string(def)}})
	}
	var inputs []map[string]string
	for _, name := range catalog.SortedKeys(p.InputPorts) {
		in := p.InputPorts[name]
		// The consumed API's name is derived from its id alone, so it
		// matches the name its own product's file gives it.
		comp.ConsumesApis = append(comp.ConsumesApis, "api:default/"+names.name(in.Product, ContractID(in.Product, in.Port), "outputPorts."+in.Port))
		v := map[string]string{"name": name, "product": in.Product, "port": in.Port}
		if in.Description != "" {
			v["description"] = in.Description
		}
		inputs = append(inputs, v)
	}
	compMeta := metadata{Name: system, Title: p.Title, Description: p.Description}
	if len(inputs) > 0 {
		b, _ := json.Marshal(inputs)
		compMeta.Annotations = map[string]string{annotation + "input-ports": string(b)}
	}
	docs = append(docs, entity{backstageAPIVersion, "Component", compMeta, comp})
	return append(docs, apis...), nil
}

// ownerOf is the entity reference of a domain's team and, for a GitHub
// team (@org/team), its Group: Backstage's GitHub integration names groups
// by their team slug.
func ownerOf(d *catalog.Domain, names *backstageNames) (string, *entity) {
	if d == nil {
		return "group:default/unknown", nil
	}
	handle := strings.TrimPrefix(d.Team.GitHub, "@")
	org, slug, isTeam := strings.Cut(handle, "/")
	if !isTeam {
		return "user:default/" + names.name(d.Name, handle, "domain.team.github"), nil
	}
	name := names.name(d.Name, slug, "domain.team.github")
	g := &entity{backstageAPIVersion, "Group", metadata{
		Name:        name,
		Annotations: map[string]string{"github.com/team-slug": org + "/" + slug},
	}, groupSpec{Type: "team", Profile: &groupProfile{DisplayName: d.Team.Name, Email: d.Team.Email}, Children: []string{}}}
	return "group:default/" + name, g
}

// Backstage's rules for entity names and tags.
var (
	backstageName = regexp.MustCompile(`^[A-Za-z0-9]+([-_.][A-Za-z0-9]+)*$`)
	backstageTag  = regexp.MustCompile(`^[a-z0-9:+#]+(-[a-z0-9:+#]+)*$`)
	separators    = regexp.MustCompile(`[^A-Za-z0-9]+`)
)

// backstageNames maps meshc names to Backstage's, reporting each it must
// change.
type backstageNames struct{ losses *Report }

// name returns s as a Backstage entity name (at most 63 characters of
// letters and digits, separated by single -, _ or .). A name that does not
// fit is cleaned and, if that changed it or it is too long, cut and given
// a hash of the original, so two names never map to one; owner and path
// say whose field it was in the report.
func (n *backstageNames) name(owner, s, path string) string {
	if len(s) <= 63 && backstageName.MatchString(s) {
		return s
	}
	sum := sha256.Sum256([]byte(s))
	suffix := "-" + hex.EncodeToString(sum[:4])
	clean := strings.Trim(separators.ReplaceAllStringFunc(s, func(sep string) string {
		if len(sep) == 1 && strings.ContainsAny(sep, "-_.") {
			return sep
		}
		return "-"
	}), "-_.")
	if len(clean) > 63-len(suffix) {
		clean = strings.TrimRight(clean[:63-len(suffix)], "-_.")
	}
	out := clean + suffix
	n.losses.Add(owner, path, LossRenamed, "Backstage names are at most 63 letters and digits separated by single -, _ or .: %q is %q", s, out)
	return out
}

// tags returns p's tags that Backstage accepts, cleaned where it can.
func (n *backstageNames) tags(p *catalog.Product) []string {
	var out []string
	for i, t := range p.Tags {
		if backstageTag.MatchString(t) && len(t) <= 63 {
			out = append(out, t)
			continue
		}
		clean := strings.Trim(regexp.MustCompile(`-+`).ReplaceAllString(t, "-"), "-")
		path := "tags[" + strconv.Itoa(i) + "]"
		if clean == "" {
			n.losses.Add(p.ID, path, LossDropped, "tag %q has no Backstage form", t)
			continue
		}
		n.losses.Add(p.ID, path, LossRenamed, "Backstage tags are lower-case words separated by single -: %q is %q", t, clean)
		out = append(out, clean)
	}
	return out
}
