package export

import (
	"github.com/meshc-dev/meshc/pkg/catalog"
)

// ODPSVersion is the Open Data Product Standard version written.
const ODPSVersion = "v1.0.0"

var odpsFormat = Format{
	Name:    "odps",
	Summary: "Open Data Product Standard v1.0.0: one file per product",
	run:     runODPS,
}

type odpsProduct struct {
	APIVersion       string           `json:"apiVersion" yaml:"apiVersion"`
	Kind             string           `json:"kind" yaml:"kind"`
	ID               string           `json:"id" yaml:"id"`
	Name             string           `json:"name" yaml:"name"`
	Version          string           `json:"version" yaml:"version"`
	Status           string           `json:"status" yaml:"status"`
	Domain           string           `json:"domain" yaml:"domain"`
	Description      *Purpose         `json:"description,omitempty" yaml:"description,omitempty"`
	Tags             []string         `json:"tags,omitempty" yaml:"tags,omitempty"`
	InputPorts       []odpsInputPort  `json:"inputPorts,omitempty" yaml:"inputPorts,omitempty"`
	OutputPorts      []odpsOutputPort `json:"outputPorts,omitempty" yaml:"outputPorts,omitempty"`
	Support          []support        `json:"support,omitempty" yaml:"support,omitempty"`
	Team             *odpsTeam        `json:"team,omitempty" yaml:"team,omitempty"`
	CustomProperties []customProperty `json:"customProperties,omitempty" yaml:"customProperties,omitempty"`
}

type odpsInputPort struct {
	Name             string           `json:"name" yaml:"name"`
	Version          string           `json:"version" yaml:"version"`
	ContractID       string           `json:"contractId" yaml:"contractId"`
	CustomProperties []customProperty `json:"customProperties,omitempty" yaml:"customProperties,omitempty"`
}

type odpsOutputPort struct {
	Name        string `json:"name" yaml:"name"`
	Description string `json:"description,omitempty" yaml:"description,omitempty"`
	Type        string `json:"type" yaml:"type"`
	Version     string `json:"version" yaml:"version"`
	ContractID  string `json:"contractId" yaml:"contractId"`
}

type odpsTeam struct {
	Name             string           `json:"name" yaml:"name"`
	CustomProperties []customProperty `json:"customProperties,omitempty" yaml:"customProperties,omitempty"`
}

func runODPS(m *catalog.Mesh, o Options) (*Result, error) {
	res := &Result{Files: map[string][]byte{}}
	for _, id := range m.ProductIDs() {
		p := m.Products[id]
		b, err := encode(odpsOf(m, p, &res.Losses), o.JSON)
		if err != nil {
			return nil, err
		}
		res.Files[p.Domain+"/"+p.Name+".odps"+o.ext()] = b
	}
	return res, nil
}

// odpsOf is p as an ODPS data product. Its output ports name their ODCS
// contracts (the odcs export) by contractId; its input ports name the
// contract of the port they read, at that product's version.
func odpsOf(m *catalog.Mesh, p *catalog.Product, losses *Report) *odpsProduct {
	d := &odpsProduct{
		APIVersion: ODPSVersion,
		Kind:       "DataProduct",
		ID:         p.ID,
		Name:       p.Title,
		Version:    p.Version,
		Status:     p.Status,
		Domain:     p.Domain,
		Tags:       p.Tags,
	}
	if p.Description != "" {
		d.Description = &Purpose{Purpose: p.Description}
	}
	for _, name := range catalog.SortedKeys(p.InputPorts) {
		in := p.InputPorts[name]
		ip := odpsInputPort{Name: name, ContractID: ContractID(in.Product, in.Port)}
		if src := m.Products[in.Product]; src != nil {
			ip.Version = src.Version
		} else {
			// ODPS requires the version of what an input port reads; a
			// product outside this mesh has none to give.
			ip.Version = "unknown"
			losses.Add(p.ID, "inputPorts."+name+".version", LossDefaulted,
				"%s is not in the exported mesh, so the version ODPS requires is %q", in.Product, ip.Version)
		}
		if in.Description != "" {
			ip.CustomProperties = []customProperty{{"description", in.Description}}
		}
		d.InputPorts = append(d.InputPorts, ip)
	}
	for _, name := range catalog.SortedKeys(p.OutputPorts) {
		op := p.OutputPorts[name]
		d.OutputPorts = append(d.OutputPorts, odpsOutputPort{
			Name: name, Description: op.Description, Type: op.Type,
			Version: p.Version, ContractID: ContractID(p.ID, name),
		})
	}
	if dom := m.Domains[p.Domain]; dom != nil {
		d.Team = &odpsTeam{Name: dom.Team.Name}
		if dom.Team.GitHub != "" {
			d.Team.CustomProperties = []customProperty{{"github", dom.Team.GitHub}}
		}
		if dom.Team.Email != "" {
			d.Support = []support{{Channel: "email", URL: "mailto:" + dom.Team.Email, Tool: "email"}}
		}
	}
	d.CustomProperties = []customProperty{{"classification", p.Classification}}
	if p.SLO != nil {
		d.CustomProperties = append(d.CustomProperties, customProperty{"slo", sloValue(p.SLO)})
	}
	if p.Deprecation != nil {
		d.CustomProperties = append(d.CustomProperties, customProperty{"deprecation", deprecationValue(p.Deprecation)})
	}
	d.CustomProperties = append(d.CustomProperties, domainProperties(m.Domains[p.Domain])...)
	return d
}
