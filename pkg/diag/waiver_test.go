package diag

import (
	"testing"
	"time"
)

func TestWaive(t *testing.T) {
	today := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	breaking := Errorf("breaking-change", "field x is removed")
	breaking.Rule, breaking.Domain, breaking.Product = "field-removed", "orders", "orders.events"
	access := Errorf("access", "port is restricted")
	access.Domain, access.Product = "finance", "finance.revenue"
	other := Errorf("access", "port is restricted")
	other.Domain, other.Product = "finance", "finance.costs"
	ws := []Waiver{
		{Rule: "field-removed", Product: "orders.events", Reason: "consumers moved already", Expires: "2026-11-24"},
		{Rule: "access", Product: "finance.revenue", Reason: "access request pending", Expires: "2026-11-23", Pos: Pos{File: "mesh.cue", Line: 9, Column: 3}},
	}
	got := Waive(Diagnostics{breaking, access, other}, ws, today)
	if len(got) != 4 {
		t.Fatalf("got %d diagnostics, want 4: %v", len(got), got)
	}
	byMsg := map[string]Diagnostic{}
	for _, d := range got {
		byMsg[d.Product+" "+d.Code] = d
	}
	if d := byMsg["orders.events breaking-change"]; d.Severity != Notice || d.Message != "waived until 2026-11-24 (consumers moved already): field x is removed" {
		t.Errorf("waived on its last day: %+v", d)
	}
	if d := byMsg["finance.revenue access"]; d.Severity != Error {
		t.Errorf("an expired waiver still waived: %+v", d)
	}
	if d := byMsg["finance.costs access"]; d.Severity != Error {
		t.Errorf("a waiver for another product applied: %+v", d)
	}
	if d := byMsg[" waiver"]; d.Severity != Warning || d.Pos().String() != "mesh.cue:9:3" {
		t.Errorf("no warning at the expired waiver: %+v", d)
	}
	if !got.HasErrors() || Waive(Diagnostics{breaking}, ws, today).HasErrors() {
		t.Error("HasErrors does not follow the waivers")
	}
}
