package odcs

import (
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/meshc-dev/meshc/pkg/catalog"
	"github.com/meshc-dev/meshc/pkg/export"
)

var (
	portTypes    = []string{"table", "view", "topic", "file", "api"}
	logicalTypes = []string{"string", "date", "timestamp", "time", "number", "integer", "object", "array", "boolean"}
	// serverPortTypes is the port type a server type implies when the
	// schema object does not say.
	serverPortTypes = map[string]string{"kafka": "topic", "kinesis": "topic", "pubsub": "topic", "s3": "file", "local": "file", "sftp": "file", "azure": "file", "api": "api"}
)

// outputPort maps one schema object to an output port of p.
func (im *importer) outputPort(r *reader, p *catalog.Product, n *yaml.Node, at string, servers []*yaml.Node, custom map[string]*yaml.Node) {
	o := r.obj(n, at)
	if o == nil {
		return
	}
	if im.ports == nil {
		im.ports = map[string]map[string]bool{}
	}
	if im.ports[p.Name] == nil {
		im.ports[p.Name] = map[string]bool{}
	}
	raw := o.str("name")
	if raw == "" {
		raw = p.Name
	}
	name := toName(raw)
	if _, taken := p.OutputPorts[name]; taken {
		name = unique(name, im.ports[p.Name], 63)
	} else {
		im.ports[p.Name][name] = true
	}
	if name != raw {
		r.renamed(o.get("name"), o.sub("name"), name, "%q is not a meshc port name: it is %q", raw, name)
	}
	op := catalog.OutputPort{Description: o.description("port", "Imported from an ODCS contract; describe what the port publishes."), Schema: map[string]catalog.Field{}}
	if lt := o.str("logicalType"); lt != "" && lt != "object" {
		r.loss(o.get("logicalType"), o.sub("logicalType"), export.LossDropped, "a schema object is an object, not %s", lt)
	}
	physical := o.str("physicalName")
	srv, srvNode := im.server(r, servers, name)
	op.Type = o.str("physicalType")
	if !slices.Contains(portTypes, op.Type) {
		t := serverPortTypes[srv.Type]
		if t == "" {
			t = "table"
		}
		r.loss(o.get("physicalType"), o.sub("physicalType"), export.LossDefaulted, "physical type %q is not a meshc port type (table, view, topic, file, api): it is %s", op.Type, t)
		op.Type = t
	}
	if loc, ok := export.LocationOf(srv, physical); ok && locationOK(loc) {
		op.Location = loc
	} else {
		op.Location = "odcs://" + p.ID + "/" + name
		r.loss(srvNode, "servers", export.LossDefaulted, "no server of the contract gives a location meshc can write (scheme://address): it is %s, set the real one", op.Location)
		if physical != "" {
			r.loss(o.get("physicalName"), o.sub("physicalName"), export.LossDropped, "the physical name %q is part of no location", physical)
		}
	}
	format := srv.Format
	for i, cn := range o.list("customProperties") {
		cp := r.obj(cn, o.sub("customProperties")+key(cn, "property", i))
		if prop := cp.str("property"); prop == "format" && format == "" {
			format = cp.str("value")
		} else {
			cp.get("value")
			r.loss(cn, cp.path, export.LossDropped, "meshc's model has no place for the custom property %s", prop)
		}
		cp.done()
	}
	if format != "" {
		if formatPattern.MatchString(format) {
			op.Format = format
		} else {
			r.loss(srvNode, "servers.format", export.LossDropped, "format %q is not a meshc format name", format)
		}
	}
	op.Access = im.access(r, custom)
	for i, pn := range o.list("properties") {
		im.field(r, op.Schema, pn, o.sub("properties")+key(pn, "name", i), 1)
	}
	if !sortedNames(o) {
		r.loss(o.get("properties"), o.sub("properties"), export.LossDropped, "meshc keeps fields by name: their order is not kept")
	}
	p.OutputPorts[name] = op
	o.done()
}

// sortedNames reports whether o's properties are in name order.
func sortedNames(o *object) bool {
	n := o.get("properties")
	if n == nil {
		return true
	}
	var names []string
	for i, c := range n.Content {
		names = append(names, key(c, "name", i))
	}
	return slices.IsSorted(names)
}

// locationOK reports whether loc satisfies meshc's #Location.
func locationOK(loc string) bool { return locationPattern.MatchString(loc) }

// server reads the contract's server for port: the one named like it, else
// the first; the others are reported.
func (im *importer) server(r *reader, servers []*yaml.Node, port string) (export.Server, *yaml.Node) {
	if len(servers) == 0 {
		return export.Server{}, nil
	}
	pick := 0
	for i, n := range servers {
		if key(n, "server", i) == "["+port+"]" {
			pick = i
		}
	}
	var s export.Server
	for i, n := range servers {
		at := "servers" + key(n, "server", i)
		o := r.obj(n, at)
		if o == nil {
			continue
		}
		if i != pick {
			if len(servers) > 1 && im.reportedServers(r.file, at) {
				r.loss(n, at, export.LossDropped, "a meshc port has one location: this server is not kept")
			}
			continue
		}
		s = export.Server{
			Server: o.str("server"), Type: o.str("type"), Account: o.str("account"), Host: o.str("host"),
			Project: o.str("project"), Dataset: o.str("dataset"), Database: o.str("database"),
			Schema: o.str("schema"), Location: o.str("location"), Path: o.str("path"), Format: o.str("format"),
		}
		if pn := o.get("port"); pn != nil {
			s.Port, _ = strconv.Atoi(pn.Value)
		}
		if s.Server != port && im.reportedServers(r.file, at+".server") {
			r.renamed(o.get("server"), at+".server", port, "meshc keeps no server names: the export names the server after its port, %s", port)
		}
		o.done()
	}
	return s, servers[pick]
}

// reportedServers makes each dropped server reported once per file, not
// once per port.
func (im *importer) reportedServers(file, at string) bool {
	for _, l := range im.losses {
		if l.Path == at && strings.Contains(l.Message, "("+file+":") {
			return false
		}
	}
	return true
}

// access is the port's access from meshc's custom property, else domain
// (the narrowest that still lets the domain read it).
func (im *importer) access(r *reader, custom map[string]*yaml.Node) catalog.Access {
	n := custom["access"]
	if n != nil {
		a := r.obj(n, "customProperties[access].value")
		acc := catalog.Access{Visibility: a.str("visibility")}
		for _, d := range a.list("allow") {
			acc.Allow = append(acc.Allow, d.Value)
		}
		a.done()
		if slices.Contains([]string{"public", "domain", "restricted"}, acc.Visibility) && (acc.Visibility != "restricted" || len(acc.Allow) > 0) {
			return acc
		}
	}
	r.loss(n, "customProperties[access]", export.LossDefaulted, "the contract does not say who may read its ports: their visibility is domain")
	return catalog.Access{Visibility: catalog.VisibilityDomain}
}

// field maps one property (or an array's items) into fields.
func (im *importer) field(r *reader, fields map[string]catalog.Field, n *yaml.Node, at string, depth int) {
	o := r.obj(n, at)
	if o == nil {
		return
	}
	raw := o.str("name")
	name := toFieldName(raw)
	if _, taken := fields[name]; taken {
		used := map[string]bool{}
		for k := range fields {
			used[k] = true
		}
		name = unique(name, used, 128)
	}
	if name != raw {
		r.renamed(o.get("name"), o.sub("name"), name, "%q is not a meshc field name (letters, digits and _): it is %q", raw, name)
	}
	f, ok := im.fieldValue(r, o, depth)
	if ok {
		fields[name] = f
	}
}

// fieldValue maps a property's or items' content.
func (im *importer) fieldValue(r *reader, o *object, depth int) (catalog.Field, bool) {
	defer o.done()
	r.count++
	if r.count > MaxProperties {
		r.errorf(o.node, "more than %d properties: meshc does not import contracts this big", MaxProperties)
		return catalog.Field{}, false
	}
	if depth > MaxDepth {
		r.errorf(o.node, "properties nest deeper than %d levels", MaxDepth)
		return catalog.Field{}, false
	}
	f := catalog.Field{
		Type:       o.str("logicalType"),
		Required:   o.boolean("required"),
		Unique:     o.boolean("unique"),
		PrimaryKey: o.boolean("primaryKey"),
	}
	props, items := o.get("properties"), o.get("items")
	if !slices.Contains(logicalTypes, f.Type) {
		t := "string"
		switch {
		case props != nil:
			t = "object"
		case items != nil:
			t = "array"
		}
		r.loss(o.get("logicalType"), o.sub("logicalType"), export.LossDefaulted, "logical type %q is not one of ODCS's: it is %s", f.Type, t)
		f.Type = t
	}
	f.Description = o.description("field", "Imported from an ODCS contract without a description.")
	if c := o.str("classification"); c != "" {
		if slices.Contains(classifications, c) {
			f.Classification = c
		} else {
			r.loss(o.get("classification"), o.sub("classification"), export.LossDropped, "classification %q is not one of meshc's (public, internal, confidential, restricted)", c)
		}
	}
	for i, cn := range o.list("customProperties") {
		cp := r.obj(cn, o.sub("customProperties")+key(cn, "property", i))
		switch prop := cp.str("property"); {
		case prop == "pii":
			f.PII = cp.boolean("value")
		case prop == "renamedFrom" && fieldNamePattern.MatchString(cp.str("value")):
			f.RenamedFrom = cp.str("value")
		default:
			cp.get("value")
			r.loss(cn, cp.path, export.LossDropped, "meshc's model has no place for the custom property %s", prop)
		}
		cp.done()
	}
	switch f.Type {
	case "object":
		for i, pn := range listOf(props) {
			if f.Fields == nil {
				f.Fields = map[string]catalog.Field{}
			}
			im.field(r, f.Fields, pn, o.sub("properties")+key(pn, "name", i), depth+1)
		}
	case "array":
		if io := r.obj(items, o.sub("items")); io != nil {
			if it, ok := im.fieldValue(r, io, depth+1); ok {
				f.Items = &it
			}
		}
	}
	if props != nil && f.Type != "object" {
		r.loss(props, o.sub("properties"), export.LossDropped, "a %s has no properties in meshc", f.Type)
	}
	if items != nil && f.Type != "array" {
		r.loss(items, o.sub("items"), export.LossDropped, "a %s has no items in meshc", f.Type)
	}
	return f, true
}

// description is o's description, else its businessName, else fallback:
// meshc needs one that says something (#Description). what names o in
// the loss report.
func (o *object) description(what, fallback string) string {
	if d := o.str("description"); isDescription(d) {
		return d
	}
	if bn := o.str("businessName"); isDescription(bn) {
		o.r.loss(o.get("businessName"), o.sub("businessName"), export.LossRenamed, "the %s's description is its businessName", what)
		return bn
	}
	o.r.loss(o.get("description"), o.sub("description"), export.LossDefaulted, "meshc needs a %s description: describe the %s", what, what)
	return fallback
}
