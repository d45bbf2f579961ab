package check

import (
	"github.com/meshc-dev/meshc/pkg/diag"
	"github.com/meshc-dev/meshc/pkg/rule"
)

var _ = register(rule.Rule{
	ID: "team", Code: "team", Stage: rule.Mesh,
	Purpose: "a domain's team handle is the one mesh.cue assigns to it",
	Explanation: `meshc mentions a domain's team handle (domain.team.github) in the pull
requests that break its consumers, so the handle is the platform's to give:
when mesh.cue assigns a domain a team, the domain must declare that handle
and no other, or it could have meshc notify any team (@acme/everyone):

  // mesh.cue
  domains: orders: {path: "domains/orders", team: "@acme/orders"}
  // domains/orders/orders.cue
  domain: team: github: "@acme/everyone"

  domains/orders/orders.cue:6:30: team: domain orders declares team handle @acme/everyone, but mesh.cue assigns it @acme/orders; declare @acme/orders

Fix it by declaring the assigned handle; a new handle is the platform's
change, in mesh.cue.`,
}, teams)

// teams reports domains whose team handle is not the one mesh.cue assigns.
func teams(m *Mesh) diag.Diagnostics {
	var ds diag.Diagnostics
	for _, name := range m.DomainNames() {
		want, ok := m.Teams[name]
		d := m.Domains[name]
		if !ok || m.Failed[name] || d.Team.GitHub == want {
			continue
		}
		dd := diag.Errorf("team", "domain %s declares team handle %s, but mesh.cue assigns it %s; declare %s",
			name, d.Team.GitHub, want, want)
		dd.Domain = name
		ds = append(ds, dd.At(m.Locate(name, "domain.team.github")))
	}
	return ds
}
