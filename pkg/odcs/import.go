package odcs

import (
	"bytes"
	"fmt"
	"math"
	"path"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/meshc-dev/meshc/pkg/catalog"
	"github.com/meshc-dev/meshc/pkg/export"
)

// Input is one contract file: its name, for messages, and its bytes.
type Input struct {
	Name string
	Data []byte
}

// Options say where the contracts go.
type Options struct {
	// Domain is the meshc domain the products join (required, a meshc
	// name).
	Domain string
	// Product, if set, puts every contract into this one product; else
	// each contract is a product, named by its id (meshc's own
	// "<domain>.<product>.<port>"), dataProduct or name.
	Product string
}

// Result is an import: the domain and its products, their CUE files (by
// name), and the loss report.
type Result struct {
	Domain   *catalog.Domain
	Products []*catalog.Product
	Files    map[string][]byte
	Losses   export.Report
}

// Import maps contracts to one domain's products and writes their CUE.
func Import(inputs []Input, o Options) (*Result, error) {
	if !namePattern.MatchString(o.Domain) {
		return nil, fmt.Errorf("--domain %q is not a meshc name (a lower-case letter, then letters, digits or _)", o.Domain)
	}
	if o.Product != "" && !namePattern.MatchString(o.Product) {
		return nil, fmt.Errorf("--product %q is not a meshc name (a lower-case letter, then letters, digits or _)", o.Product)
	}
	if len(inputs) == 0 {
		return nil, fmt.Errorf("no contract to import")
	}
	im := &importer{o: o, products: map[string]*catalog.Product{}}
	for _, in := range inputs {
		if err := im.contract(in); err != nil {
			return nil, err
		}
	}
	res := &Result{Domain: im.domain(), Losses: im.losses.Sorted()}
	for _, name := range im.order {
		res.Products = append(res.Products, im.products[name])
	}
	files, err := writeCUE(res.Domain, res.Products)
	if err != nil {
		return nil, err
	}
	res.Files = files
	return res, nil
}

type importer struct {
	o        Options
	losses   export.Report
	products map[string]*catalog.Product
	order    []string
	ports    map[string]map[string]bool // used port names by product

	// The domain, from the first contract that says.
	title, description string
	team               catalog.Team
	teamFrom           string
}

func (im *importer) contract(in Input) error {
	if len(in.Data) > MaxFileSize {
		return fmt.Errorf("%s: %d bytes is more than the %d meshc reads from a contract", in.Name, len(in.Data), MaxFileSize)
	}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(in.Data))
	if err := dec.Decode(&doc); err != nil {
		return fmt.Errorf("%s: not a YAML or JSON contract: %v", in.Name, err)
	}
	var extra yaml.Node
	if dec.Decode(&extra) == nil {
		return fmt.Errorf("%s:%d: one contract per file, please: this file has a second document", in.Name, extra.Line)
	}
	if len(doc.Content) != 1 {
		return fmt.Errorf("%s: empty contract", in.Name)
	}
	r := &reader{file: in.Name, losses: &im.losses}
	checkTree(r, doc.Content[0], 0)
	top := r.obj(doc.Content[0], "")
	if r.err != nil {
		return r.err
	}
	// at is where key is, or the contract when it lacks it.
	at := func(key string) *yaml.Node {
		if n := top.get(key); n != nil {
			return n
		}
		return top.node
	}
	if kind := top.str("kind"); kind != "DataContract" {
		r.errorf(at("kind"), "kind is %q: only ODCS DataContract documents can be imported", kind)
	}
	api := top.str("apiVersion")
	if !strings.HasPrefix(api, "v3.0.") && api != "v3.1.0" {
		r.errorf(at("apiVersion"), "apiVersion %q: meshc imports ODCS v3.0.x and v3.1.0 contracts", api)
	}
	if r.err != nil {
		return r.err
	}
	id := top.str("id")
	name, port, from, fromKey := im.productName(top, id, in.Name)
	r.product = im.o.Domain + "." + name
	if from != nil && from.Value != name {
		r.renamed(from, fromKey, name, "%q names the product %q (a meshc name: a lower-case letter, then letters, digits or _)", from.Value, name)
	}
	p := im.products[name]
	first := p == nil
	if first {
		p = &catalog.Product{ID: r.product, Name: name, Domain: im.o.Domain, OutputPorts: map[string]catalog.OutputPort{}}
		im.products[name] = p
		im.order = append(im.order, name)
	}
	if id != export.ContractID(p.ID, port) || port == "" {
		r.loss(top.get("id"), "id", export.LossDropped, "meshc names contracts <product id>.<port>; the contract's id %q is not kept", id)
	}
	if top.get("dataProduct") != nil {
		r.loss(top.get("dataProduct"), "dataProduct", export.LossRenamed, "ODCS v3.1 deprecates dataProduct: it names the product (%s) and the exported contract's id", p.ID)
	}
	if dom := top.str("domain"); dom != "" && dom != im.o.Domain {
		r.loss(top.get("domain"), "domain", export.LossRenamed, "the contract's domain %q is imported into --domain %s", dom, im.o.Domain)
	}
	custom := im.customProperties(r, top)
	if first {
		im.productFields(r, top, p, custom)
	} else {
		again := &catalog.Product{ID: p.ID, Name: p.Name}
		im.productFields(r, top, again, custom)
		sameProduct(r, top, p, again)
	}
	im.domainFields(r, top, custom)
	servers := top.list("servers")
	objects := top.list("schema")
	if len(objects) == 0 {
		r.loss(top.node, "schema", export.LossDefaulted, "the contract has no schema object: the product gets one output port without fields")
		objects = []*yaml.Node{{Kind: yaml.MappingNode, Line: top.node.Line}}
	}
	for i, n := range objects {
		im.outputPort(r, p, n, "schema"+key(n, "name", i), servers, custom)
	}
	im.dropOthers(r, top, custom)
	top.done()
	return r.err
}

// productName is the product a contract belongs to and, for a contract
// meshc exported, the port it is: --product, else meshc's contract id
// "<domain>.<product>.<port>", else dataProduct, name or the file's name.
// It returns the node the name came from, if it had to be mapped to a
// meshc name.
func (im *importer) productName(top *object, id, file string) (name, port string, from *yaml.Node, fromKey string) {
	if parts := strings.Split(id, "."); len(parts) == 3 && namePattern.MatchString(parts[1]) && namePattern.MatchString(parts[2]) {
		name, port = parts[1], parts[2]
	}
	if im.o.Product != "" {
		return im.o.Product, port, nil, ""
	}
	if name != "" {
		return name, port, nil, ""
	}
	for _, k := range []string{"dataProduct", "name"} {
		if n := top.get(k); n != nil && n.Kind == yaml.ScalarNode && n.Value != "" {
			return toName(n.Value), "", n, k
		}
	}
	base := strings.TrimSuffix(path.Base(file), path.Ext(file))
	return toName(strings.TrimSuffix(base, ".odcs")), "", nil, ""
}

// customProperties reads the contract's custom properties by name; the
// ones meshc knows are used by the mapping, the others are reported.
func (im *importer) customProperties(r *reader, top *object) map[string]*yaml.Node {
	out := map[string]*yaml.Node{}
	for i, n := range top.list("customProperties") {
		cp := r.obj(n, "customProperties"+key(n, "property", i))
		if cp == nil {
			continue
		}
		out[cp.str("property")] = cp.get("value")
		cp.done()
	}
	return out
}

var knownCustom = []string{"classification", "access", "deprecation", "inputPorts", "domainTitle", "domainDescription"}

func (im *importer) dropOthers(r *reader, top *object, custom map[string]*yaml.Node) {
	for _, k := range slicesSorted(custom) {
		if !slices.Contains(knownCustom, k) {
			r.loss(custom[k], "customProperties["+k+"]", export.LossDropped, "meshc's model has no place for the custom property %s", k)
		}
	}
}

func (im *importer) productFields(r *reader, top *object, p *catalog.Product, custom map[string]*yaml.Node) {
	p.Title = top.str("name")
	if !titlePattern.MatchString(p.Title) {
		if p.Title != "" {
			r.loss(top.get("name"), "name", export.LossRenamed, "a product title is 2 to 120 characters on one line: the title is %q", p.Name)
		}
		p.Title = p.Name
	}
	if d := r.obj(top.get("description"), "description"); d != nil {
		p.Description = d.str("purpose")
		d.done()
	}
	if !isDescription(p.Description) {
		r.loss(top.get("description"), "description.purpose", export.LossDefaulted, "meshc needs a product description: describe the product")
		p.Description = "Imported from an ODCS contract; describe what the product holds."
	}
	p.Version = top.str("version")
	if !semver.MatchString(p.Version) {
		r.loss(top.get("version"), "version", export.LossDefaulted, "version %q is not semantic (MAJOR.MINOR.PATCH): it is 0.1.0", p.Version)
		p.Version = "0.1.0"
	}
	p.Status = top.str("status")
	if !slices.Contains([]string{catalog.StatusProposed, catalog.StatusDraft, catalog.StatusActive, catalog.StatusDeprecated, catalog.StatusRetired}, p.Status) {
		r.loss(top.get("status"), "status", export.LossDefaulted, "status %q is not one of meshc's (proposed, draft, active, deprecated, retired): it is draft", p.Status)
		p.Status = catalog.StatusDraft
	}
	for i, n := range top.list("tags") {
		t := toTag(n.Value)
		if n.Kind != yaml.ScalarNode || t == "" {
			r.loss(n, "tags["+n.Value+"]", export.LossDropped, "tag %q has no meshc form", n.Value)
			continue
		}
		if t != n.Value {
			r.loss(n, "tags["+n.Value+"]", export.LossRenamed, "tags are lower-case words separated by -: %q is %q", n.Value, t)
		}
		if !slices.Contains(p.Tags, t) {
			p.Tags = append(p.Tags, t)
		}
		_ = i
	}
	p.SLO = im.slo(r, top)
	p.Classification = "internal"
	if n := custom["classification"]; n != nil && slices.Contains(classifications, n.Value) {
		p.Classification = n.Value
	} else {
		r.loss(n, "customProperties[classification]", export.LossDefaulted, "the contract does not classify the product: it is internal")
	}
	if n := custom["deprecation"]; n != nil {
		d := r.obj(n, "customProperties[deprecation].value")
		p.Deprecation = &catalog.Deprecation{Sunset: d.str("sunset"), Reason: d.str("reason"), ReplacedBy: d.str("replacedBy")}
		d.done()
	}
	for i, n := range listOf(custom["inputPorts"]) {
		ip := r.obj(n, "customProperties[inputPorts].value"+key(n, "name", i))
		name, in := ip.str("name"), catalog.InputPort{Product: ip.str("product"), Port: ip.str("port"), Description: ip.str("description")}
		ip.done()
		if !namePattern.MatchString(name) || !productRef.MatchString(in.Product) || !namePattern.MatchString(in.Port) {
			r.loss(n, ip.path, export.LossDropped, "input port %q does not name a meshc product and port", name)
			continue
		}
		if p.InputPorts == nil {
			p.InputPorts = map[string]catalog.InputPort{}
		}
		p.InputPorts[name] = in
	}
	// meshc's lifecycle needs more than the contract may say.
	switch {
	case p.Status == catalog.StatusActive && p.SLO == nil:
		r.loss(top.get("status"), "status", export.LossDefaulted, "an active meshc product promises an SLO and the contract has no slaProperties meshc reads: it is draft until you add one")
		p.Status = catalog.StatusDraft
	case p.Status == catalog.StatusDeprecated && p.Deprecation == nil:
		r.loss(top.get("status"), "status", export.LossDefaulted, "a deprecated meshc product needs a sunset date and a reason: it is draft until you add a deprecation")
		p.Status = catalog.StatusDraft
	}
}

var classifications = []string{"public", "internal", "confidential", "restricted"}

// sameProduct reports where a further contract of a product (read into
// again) says otherwise than the first: the first one's value is kept.
func sameProduct(r *reader, top *object, p, again *catalog.Product) {
	for _, f := range []struct {
		path       string
		first, now any
	}{
		{"name", p.Title, again.Title},
		{"description.purpose", p.Description, again.Description},
		{"version", p.Version, again.Version},
		{"status", p.Status, again.Status},
		{"tags", p.Tags, again.Tags},
		{"slaProperties", p.SLO, again.SLO},
		{"customProperties[classification]", p.Classification, again.Classification},
		{"customProperties[deprecation]", p.Deprecation, again.Deprecation},
		{"customProperties[inputPorts]", p.InputPorts, again.InputPorts},
	} {
		if !reflect.DeepEqual(f.first, f.now) {
			r.loss(top.node, f.path, export.LossDropped, "another contract of %s says otherwise; the product keeps the first one's", p.ID)
		}
	}
}

func (im *importer) domainFields(r *reader, top *object, custom map[string]*yaml.Node) {
	for _, f := range []struct {
		key string
		to  *string
	}{{"domainTitle", &im.title}, {"domainDescription", &im.description}} {
		switch n := custom[f.key]; {
		case n == nil:
		case *f.to == "":
			*f.to = n.Value
		case *f.to != n.Value:
			r.loss(n, "customProperties["+f.key+"]", export.LossDropped, "another contract gave the domain's %s already; this one is not kept", f.key)
		}
	}
	tn := top.get("team")
	var team catalog.Team
	switch {
	case tn == nil:
	case tn.Kind == yaml.SequenceNode:
		// ODCS v3.0's team: a list of members, no team name.
		r.loss(tn, "team", export.LossDropped, "meshc's team has no members; the v3.0 team list is not kept")
	default:
		t := r.obj(tn, "team")
		team.Name = t.str("name")
		for i, n := range t.list("customProperties") {
			cp := r.obj(n, "team.customProperties"+key(n, "property", i))
			if prop := cp.str("property"); prop == "github" {
				team.GitHub = cp.str("value")
			} else {
				cp.get("value")
				r.loss(n, cp.path, export.LossDropped, "meshc's model has no place for the team's custom property %s", prop)
			}
			cp.done()
		}
		t.done()
	}
	for i, n := range top.list("support") {
		s := r.obj(n, "support"+key(n, "channel", i))
		if u := s.str("url"); strings.HasPrefix(u, "mailto:") && team.Email == "" {
			team.Email = strings.TrimPrefix(u, "mailto:")
			if ch := s.str("channel"); ch != "email" {
				r.renamed(s.get("channel"), s.path+".channel", "email", "meshc keeps the team's e-mail address, not the channel's name %q", ch)
			}
			if tool := s.str("tool"); tool != "" && tool != "email" {
				r.renamed(s.get("tool"), s.path+".tool", "email", "an e-mail address is tool email, not %q", tool)
			}
		} else {
			r.loss(n, s.path, export.LossDropped, "meshc keeps the team's e-mail address only, not other support channels")
			for _, k := range []string{"channel", "tool", "scope", "description", "invitationUrl", "id", "customProperties"} {
				s.get(k)
			}
		}
		s.done()
	}
	switch {
	case team == catalog.Team{}:
	case im.teamFrom == "":
		im.team, im.teamFrom = team, r.file
	case team != im.team:
		r.loss(tn, "team", export.LossDropped, "the domain has one team, %s's: this contract's is not kept", im.teamFrom)
	}
}

// domain is the imported domain, its missing fields defaulted and
// reported.
func (im *importer) domain() *catalog.Domain {
	d := &catalog.Domain{Name: im.o.Domain, Title: im.title, Description: im.description, Team: im.team}
	miss := func(p, format string, args ...any) {
		im.losses.Add(d.Name, p, export.LossDefaulted, format, args...)
	}
	if !titlePattern.MatchString(d.Title) {
		d.Title = titleOf(d.Name)
		miss("domain.title", "no contract gives the domain a title: it is %q", d.Title)
	}
	if !isDescription(d.Description) {
		d.Description = "Imported from ODCS contracts; describe what the domain owns."
		miss("domain.description", "no contract describes the domain: describe it")
	}
	if !titlePattern.MatchString(d.Team.Name) {
		d.Team.Name = d.Title + " team"
		miss("domain.team.name", "no contract names the owning team: it is %q", d.Team.Name)
	}
	if !handlePattern.MatchString(d.Team.GitHub) {
		d.Team.GitHub = "@" + strings.ReplaceAll(d.Name, "_", "-")
		miss("domain.team.github", "no contract gives the team's GitHub handle: it is %q, set the real one", d.Team.GitHub)
	}
	if d.Team.Email != "" && !emailPattern.MatchString(d.Team.Email) {
		miss("domain.team.email", "%q is not an e-mail address", d.Team.Email)
		d.Team.Email = ""
	}
	return d
}

func titleOf(name string) string {
	t := strings.ReplaceAll(name, "_", " ")
	if len(t) < 2 {
		t += " domain"
	}
	return strings.ToUpper(t[:1]) + t[1:]
}

// slo reads the SLA properties meshc has: freshness, latency, retention
// (a value and a unit) and availability (in percent).
func (im *importer) slo(r *reader, top *object) *catalog.SLO {
	s := &catalog.SLO{}
	found := false
	seen := map[string]int{}
	for i, n := range top.list("slaProperties") {
		sp := r.obj(n, "")
		if sp == nil {
			continue
		}
		prop := sp.str("property")
		seen[prop]++
		k := key(n, "property", i)
		if seen[prop] > 1 {
			k = "[" + prop + "#" + strconv.Itoa(seen[prop]) + "]"
		}
		sp.path = "slaProperties" + k
		value, unit := sp.get("value"), sp.str("unit")
		ok := false
		switch prop {
		case "freshness", "latency", "retention":
			if d, exact, good := duration(value, unit); good {
				ok = true
				if !exact {
					r.renamed(n, sp.path, d, "meshc writes %s %s as %s", value.Value, unit, d)
				}
				switch prop {
				case "freshness":
					s.Freshness = d
				case "latency":
					s.Latency = d
				default:
					s.Retention = d
				}
			}
		case "availability":
			if value != nil && (unit == "" || unit == "%") {
				if f, err := strconv.ParseFloat(value.Value, 64); err == nil && f >= 0 && f <= 100 {
					s.Availability, ok = &f, true
				}
			}
		}
		if !ok {
			r.loss(n, sp.path, export.LossDropped, "meshc's SLO has freshness, latency and retention (a whole number of ms, s, m, h or d) and availability (percent), not this %s", prop)
			for _, k := range []string{"element", "driver", "description", "valueExt", "scheduler", "schedule", "id"} {
				sp.get(k)
			}
		}
		found = found || ok
		sp.done()
	}
	if !found {
		return nil
	}
	return s
}

// units maps ODCS's units to meshc's, with a factor.
var units = map[string]struct {
	unit   string
	factor int
}{
	"ms": {"ms", 1}, "s": {"s", 1}, "sec": {"s", 1}, "second": {"s", 1}, "seconds": {"s", 1},
	"m": {"m", 1}, "min": {"m", 1}, "minute": {"m", 1}, "minutes": {"m", 1},
	"h": {"h", 1}, "hour": {"h", 1}, "hours": {"h", 1},
	"d": {"d", 1}, "day": {"d", 1}, "days": {"d", 1},
	"w": {"d", 7}, "week": {"d", 7}, "weeks": {"d", 7},
	"y": {"d", 365}, "yr": {"d", 365}, "year": {"d", 365}, "years": {"d", 365},
}

// duration is value and unit as a meshc duration, and whether that is
// written with the same number and unit.
func duration(value *yaml.Node, unit string) (string, bool, bool) {
	if value == nil || value.Kind != yaml.ScalarNode {
		return "", false, false
	}
	u, ok := units[strings.ToLower(unit)]
	if !ok {
		return "", false, false
	}
	n, err := strconv.Atoi(value.Value)
	if err != nil || n <= 0 || n > math.MaxInt32/u.factor {
		return "", false, false
	}
	d := strconv.Itoa(n*u.factor) + u.unit
	return d, u.unit == unit && u.factor == 1, durationPattern.MatchString(d)
}

func listOf(n *yaml.Node) []*yaml.Node {
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	return n.Content
}

func slicesSorted[V any](m map[string]V) []string { return catalog.SortedKeys(m) }
