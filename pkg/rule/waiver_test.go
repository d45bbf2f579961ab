package rule

import (
	"strings"
	"testing"

	"github.com/meshc-dev/meshc/pkg/diag"
)

func TestCheckWaivers(t *testing.T) {
	scope := Scope{
		Domains: []string{"orders", "finance", "payments"},
		// orders.refunds failed the schema and orders.legacy is only live:
		// both are known.
		Products: map[string]bool{"orders.orders": true, "orders.refunds": true, "orders.legacy": true, "finance.revenue": true},
		Open:     map[string]bool{"payments": true}, // its CUE did not evaluate
	}
	at := diag.Pos{File: "mesh.cue", Line: 7, Column: 11}
	for _, tc := range []struct {
		name string
		w    diag.Waiver
		want string // the message, "" for none
	}{
		{"rule id", diag.Waiver{Rule: "field-removed", Product: "orders.orders"}, ""},
		{"code", diag.Waiver{Rule: "breaking-change", Domain: "orders"}, ""},
		{"code of a family", diag.Waiver{Rule: "lifecycle", Product: "orders.legacy"}, ""},
		{"invalid product", diag.Waiver{Rule: "cycle", Product: "orders.refunds"}, ""},
		{"open domain", diag.Waiver{Rule: "cycle", Product: "payments.anything"}, ""},
		{"unknown rule", diag.Waiver{Rule: "field-remove", Product: "orders.orders"},
			`waivers.0.rule: "field-remove" is not a rule ID or diagnostic code (did you mean field-removed?): run meshc rules for the list`},
		{"unknown rule, nothing close", diag.Waiver{Rule: "everything", Domain: "orders"},
			`waivers.0.rule: "everything" is not a rule ID or diagnostic code: run meshc rules for the list`},
		{"unknown domain", diag.Waiver{Rule: "cycle", Domain: "order"},
			`waivers.0.domain: "order" is not a domain of mesh.cue (did you mean orders?)`},
		{"product of an unknown domain", diag.Waiver{Rule: "cycle", Product: "order.orders"},
			`waivers.0.product: order.orders names domain "order", which is not a domain of mesh.cue (did you mean orders.orders?)`},
		{"product of an unknown domain, unknown name", diag.Waiver{Rule: "cycle", Product: "financ.costs"},
			`waivers.0.product: financ.costs names domain "financ", which is not a domain of mesh.cue (did you mean finance.costs?)`},
		{"unknown product", diag.Waiver{Rule: "cycle", Product: "orders.order"},
			`waivers.0.product: orders.order is not a product of the mesh nor of the live catalog (did you mean orders.orders?)`},
		{"not a product id", diag.Waiver{Rule: "cycle", Product: "orders"},
			`waivers.0.product: "orders" is not a product id "<domain>.<product>"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.w.Pos = at
			ds := CheckWaivers([]diag.Waiver{tc.w}, scope)
			var got []string
			for _, d := range ds {
				if d.Severity != diag.Error || d.Code != "waiver" || d.Pos() != at {
					t.Errorf("not an error of code waiver at mesh.cue:7:11: %+v", d)
				}
				got = append(got, d.Message)
			}
			if strings.Join(got, "\n") != tc.want {
				t.Errorf("got %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestCheckWaiversReportsEach(t *testing.T) {
	ws := []diag.Waiver{
		{Rule: "cycle", Product: "orders.orders"},
		{Rule: "cycl", Domain: "ordrs", Pos: diag.Pos{File: "mesh.cue", Line: 9}},
	}
	ds := CheckWaivers(ws, Scope{Domains: []string{"orders"}, Products: map[string]bool{"orders.orders": true}})
	if len(ds) != 2 || !strings.HasPrefix(ds[0].Message, "waivers.1.rule:") || !strings.HasPrefix(ds[1].Message, "waivers.1.domain:") || ds[1].Line != 9 {
		t.Errorf("want the rule and the domain of waiver 1 reported at its line, got %+v", ds)
	}
}
