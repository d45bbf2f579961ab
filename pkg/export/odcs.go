package export

import (
	"strconv"
	"strings"

	"github.com/meshc-dev/meshc/pkg/catalog"
)

// ODCSVersion is the Open Data Contract Standard version written.
const ODCSVersion = "v3.1.0"

var odcsFormat = Format{
	Name:    "odcs",
	Summary: "Open Data Contract Standard v3.1.0: one contract per output port",
	run:     runODCS,
}

// Contract is an ODCS data contract, as meshc writes it: the fields meshc
// fills, in the standard's order.
type Contract struct {
	APIVersion       string           `json:"apiVersion" yaml:"apiVersion"`
	Kind             string           `json:"kind" yaml:"kind"`
	ID               string           `json:"id" yaml:"id"`
	Name             string           `json:"name,omitempty" yaml:"name,omitempty"`
	Version          string           `json:"version" yaml:"version"`
	Status           string           `json:"status" yaml:"status"`
	Domain           string           `json:"domain,omitempty" yaml:"domain,omitempty"`
	Tags             []string         `json:"tags,omitempty" yaml:"tags,omitempty"`
	Description      *Purpose         `json:"description,omitempty" yaml:"description,omitempty"`
	Servers          []Server         `json:"servers,omitempty" yaml:"servers,omitempty"`
	Schema           []SchemaObject   `json:"schema" yaml:"schema"`
	Team             *odcsTeam        `json:"team,omitempty" yaml:"team,omitempty"`
	Support          []support        `json:"support,omitempty" yaml:"support,omitempty"`
	SLAProperties    []slaProperty    `json:"slaProperties,omitempty" yaml:"slaProperties,omitempty"`
	CustomProperties []customProperty `json:"customProperties,omitempty" yaml:"customProperties,omitempty"`
}

// Purpose is the description object of ODCS and ODPS.
type Purpose struct {
	Purpose string `json:"purpose,omitempty" yaml:"purpose,omitempty"`
}

// Server is where an output port's data is, in ODCS's typed server form.
type Server struct {
	Server   string `json:"server" yaml:"server"`
	Type     string `json:"type" yaml:"type"`
	Account  string `json:"account,omitempty" yaml:"account,omitempty"`
	Host     string `json:"host,omitempty" yaml:"host,omitempty"`
	Port     int    `json:"port,omitempty" yaml:"port,omitempty"`
	Project  string `json:"project,omitempty" yaml:"project,omitempty"`
	Dataset  string `json:"dataset,omitempty" yaml:"dataset,omitempty"`
	Database string `json:"database,omitempty" yaml:"database,omitempty"`
	Schema   string `json:"schema,omitempty" yaml:"schema,omitempty"`
	Location string `json:"location,omitempty" yaml:"location,omitempty"`
	Path     string `json:"path,omitempty" yaml:"path,omitempty"`
	Format   string `json:"format,omitempty" yaml:"format,omitempty"`
}

// SchemaObject is one element of an ODCS contract's schema: meshc writes
// one, the output port.
type SchemaObject struct {
	Name             string           `json:"name" yaml:"name"`
	LogicalType      string           `json:"logicalType" yaml:"logicalType"`
	PhysicalType     string           `json:"physicalType,omitempty" yaml:"physicalType,omitempty"`
	PhysicalName     string           `json:"physicalName,omitempty" yaml:"physicalName,omitempty"`
	Description      string           `json:"description,omitempty" yaml:"description,omitempty"`
	Properties       []Property       `json:"properties,omitempty" yaml:"properties,omitempty"`
	CustomProperties []customProperty `json:"customProperties,omitempty" yaml:"customProperties,omitempty"`
}

// Property is one field of a schema object, an object's property or an
// array's items (which have no name).
type Property struct {
	Name             string           `json:"name,omitempty" yaml:"name,omitempty"`
	LogicalType      string           `json:"logicalType" yaml:"logicalType"`
	Description      string           `json:"description,omitempty" yaml:"description,omitempty"`
	Required         bool             `json:"required,omitempty" yaml:"required,omitempty"`
	Unique           bool             `json:"unique,omitempty" yaml:"unique,omitempty"`
	PrimaryKey       bool             `json:"primaryKey,omitempty" yaml:"primaryKey,omitempty"`
	Classification   string           `json:"classification,omitempty" yaml:"classification,omitempty"`
	Properties       []Property       `json:"properties,omitempty" yaml:"properties,omitempty"`
	Items            *Property        `json:"items,omitempty" yaml:"items,omitempty"`
	CustomProperties []customProperty `json:"customProperties,omitempty" yaml:"customProperties,omitempty"`
}

type odcsTeam struct {
	Name             string           `json:"name" yaml:"name"`
	CustomProperties []customProperty `json:"customProperties,omitempty" yaml:"customProperties,omitempty"`
}

type support struct {
	Channel string `json:"channel" yaml:"channel"`
	URL     string `json:"url" yaml:"url"`
	Tool    string `json:"tool,omitempty" yaml:"tool,omitempty"`
}

type slaProperty struct {
	Property string `json:"property" yaml:"property"`
	Value    any    `json:"value" yaml:"value"`
	Unit     string `json:"unit,omitempty" yaml:"unit,omitempty"`
}

func runODCS(m *catalog.Mesh, o Options) (*Result, error) {
	res := &Result{Files: map[string][]byte{}}
	for _, id := range m.ProductIDs() {
		p := m.Products[id]
		if len(p.OutputPorts) == 0 {
			res.Losses.Add(p.ID, "outputPorts", LossDropped, "ODCS has one contract per output port: a product without output ports has none")
		}
		for _, port := range catalog.SortedKeys(p.OutputPorts) {
			c := ContractOf(m, p, port)
			b, err := encode(c, o.JSON)
			if err != nil {
				return nil, err
			}
			res.Files[p.Domain+"/"+p.Name+"."+port+".odcs"+o.ext()] = b
		}
	}
	return res, nil
}

// ContractOf is the ODCS contract of p's output port named port. Whatever
// ODCS has no field for (classification, access, deprecation, input ports,
// the domain's title, a field's PII flag and previous name) is a custom
// property, so the contract is lossless and `meshc import odcs` reads it
// back as it was.
func ContractOf(m *catalog.Mesh, p *catalog.Product, port string) *Contract {
	op := p.OutputPorts[port]
	c := &Contract{
		APIVersion: ODCSVersion,
		Kind:       "DataContract",
		ID:         ContractID(p.ID, port),
		Name:       p.Title,
		Version:    p.Version,
		Status:     p.Status,
		Domain:     p.Domain,
		Tags:       p.Tags,
	}
	if p.Description != "" {
		c.Description = &Purpose{Purpose: p.Description}
	}
	obj := SchemaObject{
		Name:         port,
		LogicalType:  "object",
		PhysicalType: op.Type,
		Description:  op.Description,
		Properties:   properties(op.Schema),
	}
	srv, physical := ServerFor(port, op.Type, op.Location, op.Format)
	c.Servers = []Server{srv}
	obj.PhysicalName = physical
	if op.Format != "" && srv.Format == "" {
		obj.CustomProperties = append(obj.CustomProperties, customProperty{"format", op.Format})
	}
	c.Schema = []SchemaObject{obj}
	if d := m.Domains[p.Domain]; d != nil {
		c.Team = &odcsTeam{Name: d.Team.Name}
		if d.Team.GitHub != "" {
			c.Team.CustomProperties = []customProperty{{"github", d.Team.GitHub}}
		}
		if d.Team.Email != "" {
			c.Support = []support{{Channel: "email", URL: "mailto:" + d.Team.Email, Tool: "email"}}
		}
	}
	if p.SLO != nil {
		c.SLAProperties = slaProperties(p.SLO)
	}
	c.CustomProperties = productProperties(m, p)
	access := map[string]any{"visibility": op.Access.Visibility}
	if len(op.Access.Allow) > 0 {
		access["allow"] = op.Access.Allow
	}
	c.CustomProperties = append(c.CustomProperties, customProperty{"access", access})
	return c
}

// productProperties are a product's custom properties in ODCS: what the
// standard has no field for.
func productProperties(m *catalog.Mesh, p *catalog.Product) []customProperty {
	cps := []customProperty{{"classification", p.Classification}}
	if p.Deprecation != nil {
		cps = append(cps, customProperty{"deprecation", deprecationValue(p.Deprecation)})
	}
	if len(p.InputPorts) > 0 {
		var ins []map[string]any
		for _, name := range catalog.SortedKeys(p.InputPorts) {
			in := p.InputPorts[name]
			v := map[string]any{"name": name, "product": in.Product, "port": in.Port}
			if in.Description != "" {
				v["description"] = in.Description
			}
			ins = append(ins, v)
		}
		cps = append(cps, customProperty{"inputPorts", ins})
	}
	return append(cps, domainProperties(m.Domains[p.Domain])...)
}

func properties(fields map[string]catalog.Field) []Property {
	var out []Property
	for _, name := range catalog.SortedKeys(fields) {
		pr := property(fields[name])
		pr.Name = name
		out = append(out, pr)
	}
	return out
}

func property(f catalog.Field) Property {
	pr := Property{
		LogicalType:    f.Type,
		Description:    f.Description,
		Required:       f.Required,
		Unique:         f.Unique,
		PrimaryKey:     f.PrimaryKey,
		Classification: f.Classification,
		Properties:     properties(f.Fields),
	}
	if f.Items != nil {
		items := property(*f.Items)
		pr.Items = &items
	}
	if f.PII {
		pr.CustomProperties = append(pr.CustomProperties, customProperty{"pii", true})
	}
	if f.RenamedFrom != "" {
		pr.CustomProperties = append(pr.CustomProperties, customProperty{"renamedFrom", f.RenamedFrom})
	}
	return pr
}

// slaProperties maps an SLO to ODCS's SLA properties: durations as a value
// and a unit, availability in percent.
func slaProperties(s *catalog.SLO) []slaProperty {
	var out []slaProperty
	add := func(name, d string) {
		if v, unit, ok := SplitDuration(d); ok {
			out = append(out, slaProperty{Property: name, Value: v, Unit: unit})
		}
	}
	add("freshness", s.Freshness)
	if s.Availability != nil {
		out = append(out, slaProperty{Property: "availability", Value: *s.Availability, Unit: "%"})
	}
	add("latency", s.Latency)
	add("retention", s.Retention)
	return out
}

// SplitDuration splits a meshc duration ("15m") into its number and unit.
func SplitDuration(d string) (int, string, bool) {
	i := strings.IndexFunc(d, func(r rune) bool { return r < '0' || r > '9' })
	if i <= 0 {
		return 0, "", false
	}
	n, err := strconv.Atoi(d[:i])
	if err != nil {
		return 0, "", false
	}
	return n, d[i:], true
}
