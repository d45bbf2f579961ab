package plan

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/meshc-dev/meshc/pkg/catalog"
	"github.com/meshc-dev/meshc/pkg/diag"
	"github.com/meshc-dev/meshc/pkg/rule"
	"github.com/meshc-dev/meshc/pkg/state"
)

var _ = rule.Register(rule.Rule{
	ID: "sealed-plan", Code: "sealed-plan", Stage: rule.Apply,
	Purpose: "a saved plan is applied only to its own mesh, unchanged, and nothing in it is trusted",
	Explanation: `meshc plan -out seals the plan it saves: it records the mesh it was made
for (mesh.cue's platform name and the live catalog's lineage, or that the
catalog was new) and a checksum of its content. meshc apply PLANFILE trusts
nothing in the file: it refuses (exit 1, nothing written)

  - a plan made for another mesh (another platform, or another live catalog),
  - a plan whose checksum does not match its content (edited after saving),
  - a plan whose desired catalog names a domain mesh.cue does not have, or a
    product whose id is not <domain>.<name>,
  - a plan whose desired catalog does not produce exactly the changes it
    lists, diffed again against the live catalog,

and it checks the desired catalog again, against the schema, the
policies and every mesh rule and rule of change, instead of reading the
diagnostics the file lists:

  $ meshc apply plan.json
  plan.json: sealed-plan: the plan's checksum does not match its content: it was changed after meshc plan saved it; make it again with meshc plan -out

A file that is not a plan at all is "not a meshc plan" (exit 3). Make the
plan again (meshc plan -out plan.json), review it, and apply that. A sealed
plan cannot be waived.`,
})

// MeshID names the mesh a plan was made for.
type MeshID struct {
	Platform string `json:"platform"`
	// Lineage is the live catalog's lineage; empty with New.
	Lineage string `json:"lineage,omitempty"`
	// New says the live catalog did not exist yet.
	New bool `json:"new,omitempty"`
}

func (m MeshID) String() string {
	if m.New {
		return fmt.Sprintf("platform %q with a new live catalog", m.Platform)
	}
	return fmt.Sprintf("platform %q with live catalog lineage %s", m.Platform, m.Lineage)
}

// MeshOf identifies the mesh of platform whose live catalog is live.
func MeshOf(platform string, live *state.Catalog) MeshID {
	return MeshID{Platform: platform, Lineage: live.Lineage, New: live.Lineage == ""}
}

// Seal records the mesh p is made for and the checksum of its content.
func (p *Plan) Seal(m MeshID) {
	p.Mesh = &m
	p.Checksum = p.sum()
}

// sum is the checksum of p's content: the SHA-256 of its JSON form with
// an empty checksum.
func (p *Plan) sum() string {
	q := *p
	q.Checksum = ""
	b, err := json.Marshal(&q)
	if err != nil {
		panic(fmt.Sprintf("plan: does not encode: %v", err)) // a bug: plain data
	}
	h := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(h[:])
}

// sealError is a saved plan that is refused, under rule sealed-plan.
func sealError(file, format string, args ...any) diag.Diagnostic {
	return diag.Errorf("sealed-plan", format, args...).At(diag.Pos{File: file})
}

// CheckSeal checks a loaded plan's seal: it is for mesh (the platform of
// mesh.cue, the live catalog as it is) and its checksum matches. file names
// the plan in diagnostics. A live catalog that moved on since the plan,
// within the same lineage (or from new), is not this check's: see
// CheckFresh.
func (p *Plan) CheckSeal(file string, mesh MeshID) diag.Diagnostics {
	var ds diag.Diagnostics
	switch m := p.Mesh; {
	case m == nil:
		ds = append(ds, sealError(file, "the plan is not sealed (it records no mesh nor checksum): make it again with meshc plan -out"))
	case m.Platform != mesh.Platform:
		ds = append(ds, sealError(file, "the plan was made for platform %q, but mesh.cue is platform %q: apply it with that platform's mesh.cue, or plan again here", m.Platform, mesh.Platform))
	case !m.New && m.Lineage != mesh.Lineage:
		live := "is new"
		if !mesh.New {
			live = "has lineage " + mesh.Lineage
		}
		ds = append(ds, sealError(file, "the plan was made for the live catalog of lineage %s, but this mesh's live catalog %s: it is another mesh's plan; plan again here", m.Lineage, live))
	case m.New != (p.Lineage == "") || (!m.New && m.Lineage != p.Lineage):
		ds = append(ds, sealError(file, "the plan's mesh (%s) and the catalog it lists as its base (lineage %s) disagree: the file was edited; make it again with meshc plan -out", m, orNone(p.Lineage)))
	}
	if p.Checksum == "" || p.Checksum != p.sum() {
		ds = append(ds, sealError(file, "the plan's checksum does not match its content: it was changed after meshc plan saved it; make it again with meshc plan -out"))
	}
	return ds
}

// CheckDesired checks what a plan's desired catalog claims of itself: every
// domain is one of the mesh's (domains), under its own name, and every
// product belongs to one of them with id "<domain>.<name>", under that id.
func (p *Plan) CheckDesired(file string, domains []string) diag.Diagnostics {
	var ds diag.Diagnostics
	if p.Desired == nil {
		return diag.Diagnostics{sealError(file, "the plan holds no desired catalog: make it again with meshc plan -out")}
	}
	known := func(d string) bool { return slices.Contains(domains, d) }
	for _, name := range catalog.SortedKeys(p.Desired.Domains) {
		d := p.Desired.Domains[name]
		switch {
		case !known(name):
			ds = append(ds, sealError(file, "the plan's desired catalog has domain %q, which mesh.cue does not declare (it has %s)", name, strings.Join(domains, ", ")))
		case d == nil || d.Name != name:
			ds = append(ds, sealError(file, "the plan's desired domain %q is named %q", name, nameOf(d)))
		}
	}
	for _, id := range catalog.SortedKeys(p.Desired.Products) {
		pr := p.Desired.Products[id]
		switch {
		case pr == nil:
			ds = append(ds, sealError(file, "the plan's desired product %q is empty", id))
		case !known(pr.Domain):
			ds = append(ds, sealError(file, "the plan's desired product %q belongs to domain %q, which mesh.cue does not declare", id, pr.Domain))
		case pr.ID != id || pr.ID != pr.Domain+"."+pr.Name:
			ds = append(ds, sealError(file, "the plan's desired product %q has id %q, name %q and domain %q: a product's id is <domain>.<name>", id, pr.ID, pr.Name, pr.Domain))
		}
	}
	return ds
}

func nameOf(d *catalog.Domain) string {
	if d == nil {
		return ""
	}
	return d.Name
}

// CompareChanges returns how the changes a saved plan lists differ from
// those recomputed (its desired catalog diffed again against the live
// catalog), one line each: empty when they are the same.
func (p *Plan) CompareChanges(recomputed *Plan) []string {
	listed, again := changesByProduct(p), changesByProduct(recomputed)
	var out []string
	for _, id := range catalog.SortedKeys(unionKeysOf(listed, again)) {
		l, a := listed[id], again[id]
		switch {
		case l == nil:
			out = append(out, fmt.Sprintf("%s: the plan does not list its %s", id, actionOf(recomputed, id)))
		case a == nil:
			out = append(out, fmt.Sprintf("%s: the plan lists a %s that its desired catalog does not make", id, actionOf(p, id)))
		case !bytes.Equal(l, a):
			out = append(out, fmt.Sprintf("%s: the plan lists its %s differently from what its desired catalog makes", id, actionOf(recomputed, id)))
		}
	}
	if p.Summary != recomputed.Summary {
		out = append(out, fmt.Sprintf("the summary says %+v, the changes make %+v", p.Summary, recomputed.Summary))
	}
	return out
}

func unionKeysOf(a, b map[string][]byte) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}

func actionOf(p *Plan, id string) string {
	for _, c := range p.Changes {
		if c.Product == id {
			return c.Action
		}
	}
	return NoOp
}

// changesByProduct returns each pending change's content as compared:
// what it does, not where its files are.
func changesByProduct(p *Plan) map[string][]byte {
	out := map[string][]byte{}
	for _, c := range p.Pending() {
		v := struct {
			Action   string         `json:"action"`
			Domain   string         `json:"domain"`
			Before   *VersionStatus `json:"before"`
			After    *VersionStatus `json:"after"`
			Fields   []FieldChange  `json:"fields"`
			Breaking []Breaking     `json:"breaking"`
			Notices  []Breaking     `json:"notices"`
			Impacted []Impact       `json:"impacted"`
		}{c.Action, c.Domain, c.Before, c.After, c.Fields, c.Breaking, c.Notices, c.Impacted}
		b, err := json.Marshal(v)
		if err != nil {
			panic(fmt.Sprintf("plan: change of %s does not encode: %v", c.Product, err))
		}
		// Values read back from a file are JSON's: compare them so.
		var norm any
		if err := json.Unmarshal(b, &norm); err == nil {
			b, _ = json.Marshal(norm)
		}
		out[c.Product] = b
	}
	return out
}
