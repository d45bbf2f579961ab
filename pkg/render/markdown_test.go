package render

import (
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/meshc-dev/meshc/pkg/catalog"
	"github.com/meshc-dev/meshc/pkg/diag"
	"github.com/meshc-dev/meshc/pkg/plan"
)

// newPlan returns a plan of changes with its summary counted from them.
func newPlan(serial int64, changes []*plan.Change, ds ...diag.Diagnostic) *plan.Plan {
	p := &plan.Plan{FormatVersion: plan.FormatVersion, LiveSerial: serial, Changes: changes, Diagnostics: ds}
	for _, c := range changes {
		switch c.Action {
		case plan.Create:
			p.Summary.Create++
		case plan.Update:
			p.Summary.Update++
		case plan.Delete:
			p.Summary.Delete++
		}
		if len(c.Breaking) > 0 {
			p.Summary.Breaking++
		}
	}
	return p
}

func vs(version, status string) *plan.VersionStatus {
	return &plan.VersionStatus{Version: version, Status: status}
}

func emptyPlan() *plan.Plan {
	return newPlan(3, []*plan.Change{
		{Product: "orders.order_events", Domain: "orders", Action: plan.NoOp, Before: vs("1.4.0", "active"), After: vs("1.4.0", "active")},
	})
}

func createsPlan() *plan.Plan {
	return newPlan(0, []*plan.Change{
		{Product: "orders.order_events", Domain: "orders", Action: plan.Create, After: vs("1.0.0", "draft")},
		{Product: "customers.customer_profiles", Domain: "customers", Action: plan.Create, After: vs("0.1.0", "proposed")},
		{Product: "orders.refunds", Domain: "orders", Action: plan.Create, After: vs("1.0.0", "active")},
	})
}

// breakingPlan changes a field's type on an active product read by two
// teams directly and one downstream.
func breakingPlan() *plan.Plan {
	return newPlan(7, []*plan.Change{
		{
			Product: "orders.order_events", Domain: "orders", Action: plan.Update,
			Before: vs("1.4.0", "active"), After: vs("2.0.0", "active"),
			Fields: []plan.FieldChange{
				{Path: "outputPorts.events.schema.amount.type", Before: "number", After: "string"},
				{Path: "outputPorts.events.schema.currency", After: map[string]any{"type": "string", "required": false}},
				{Path: "slo.availability", Before: 99.9, After: 99.5},
				{Path: "version", Before: "1.4.0", After: "2.0.0"},
			},
			Breaking: []plan.Breaking{
				{Rule: "field-type-changed", Path: "outputPorts.events.schema.amount.type", Message: `field "amount" changes type from number to string`},
				{Rule: "slo-weakened", Path: "slo.availability", Message: "availability is lowered from 99.9 to 99.5"},
			},
			Impacted: []plan.Impact{
				{Product: "finance.revenue", Team: "@acme/finance", Port: "events"},
				{Product: "marketing.attribution", Team: "@acme/marketing", Port: "events"},
				{Product: "bi.dashboard", Team: "@acme/bi", Via: "finance.revenue"},
			},
		},
		{
			Product: "finance.revenue", Domain: "finance", Action: plan.Update,
			Before: vs("3.1.0", "active"), After: vs("3.1.1", "active"),
			Fields: []plan.FieldChange{{
				Path:   "description",
				Before: "Recognised revenue per order line, updated hourly from the order events and refunds.",
				After:  "Recognised revenue per order line, updated every 15 minutes from the order events and refunds.",
				Diff:   "updated [-hourly-]{+every 15 minutes+} from",
			}},
		},
		{Product: "marketing.campaigns", Domain: "marketing", Action: plan.Create, After: vs("0.1.0", "draft")},
		{Product: "marketing.attribution", Domain: "marketing", Action: plan.NoOp, Before: vs("1.0.0", "active"), After: vs("1.0.0", "active")},
	}, diag.Diagnostic{
		Severity: diag.Warning, Code: "lifecycle", Message: "orders.legacy_orders is deprecated: sunset 2026-09-01",
		File: "domains/marketing/attribution.cue", Line: 14, Domain: "marketing", Product: "marketing.attribution",
	})
}

// blockedDeletePlan deletes a product that still has a consumer.
func blockedDeletePlan() *plan.Plan {
	return newPlan(12, []*plan.Change{{
		Product: "customers.customer_profiles", Domain: "customers", Action: plan.Delete,
		Before:   vs("2.3.0", "active"),
		Breaking: []plan.Breaking{{Rule: "product-removed", Message: "the product is removed"}},
		Impacted: []plan.Impact{{Product: "orders.order_events", Team: "@acme/orders", Port: "profiles"}},
	}},
		diag.Diagnostic{Severity: diag.Warning, Code: "schema", Message: "description is empty", File: "a/first.cue", Line: 1, Domain: "customers"},
		diag.Diagnostic{Severity: diag.Error, Code: "lifecycle", Message: "customers.customer_profiles has consumers and cannot be deleted: orders.order_events",
			File: "domains/customers/products.cue", Line: 12, Column: 2, Product: "customers.customer_profiles"},
		diag.Diagnostic{Severity: diag.Error, Code: "breaking-change", Message: "removing an active product needs a deprecation first", Product: "customers.customer_profiles"},
	)
}

// escapingPlan carries user text that would break a table or inject HTML.
func escapingPlan() *plan.Plan {
	p := newPlan(1, []*plan.Change{{
		Product: "web.click|stream", Domain: "web", Action: plan.Update,
		Before: vs("1.0.0", "active"), After: vs("<b>2.0.0</b>", "active"),
		Fields: []plan.FieldChange{
			{Path: "description", Before: "a | b", After: "<script>alert(1)</script>\nsecond line"},
			{Path: "tags", Before: []string{"x|y"}, After: []string{"`tick`", "a & b"}},
			{Path: `outputPorts.raw.schema."odd|name".description`, Before: `back\|slash`, After: strings.Repeat("long ", 40)},
		},
		Breaking: []plan.Breaking{{Rule: "port-changed", Path: "outputPorts.raw.location", Message: "location <script>x</script> | changed *now*"}},
		Impacted: []plan.Impact{{Product: "ads.spend", Team: "acme ads<script>", Port: "raw"}},
	}}, diag.Diagnostic{Severity: diag.Error, Code: "schema", Message: "bad value <img src=x onerror=alert(1)> in [link](http://x) | _here_", File: "web/a|b.cue", Line: 3})
	p.Skipped = map[string]catalog.Keep{"legacy": {Detail: "git clone failed: <timeout> | retry"}}
	return p
}

func TestMarkdownGolden(t *testing.T) {
	opts := MarkdownOptions{Title: "meshc plan for acme", Marker: "<!-- meshc:acme -->"}
	tests := []struct {
		name string
		plan *plan.Plan
		opts MarkdownOptions
		want []string // must appear, beyond the golden
		not  []string // must not appear
	}{
		{"empty", emptyPlan(), opts,
			[]string{"**✅ No changes**", "| 0 | 0 | 0 | 0 |", "serial 3."},
			[]string{"<details", "mermaid", "Impacted teams", "### Changes", "orders.order_events"}},
		{"creates", createsPlan(), opts,
			[]string{"**✅ 3 changes, none breaking**", "| 3 | 0 | 0 | 0 |", "#### customers", "+ create <code>orders.refunds</code> · 1.0.0 · active", "A new product.", ":::create"},
			[]string{"<details open>", "Impacted teams", " --> "}},
		{"breaking", breakingPlan(), opts,
			[]string{
				"**⚠️ 1 breaking change to 1 product, out of 3 changes (1 warning)**",
				"| 1 | 2 | 0 | 1 |",
				"**Impacted teams:** @acme/bi, @acme/finance, @acme/marketing",
				"<details open><summary>~ update <code>orders.order_events</code> · 1.4.0 → 2.0.0 · active · <b>2 breaking changes</b> · 3 consumers</summary>",
				"<details><summary>~ update <code>finance.revenue</code>",
				"| `outputPorts.events.schema.amount.type` | `number` | `string` |",
				"| `slo.availability` | `99.9` | `99.5` |",
				"| `outputPorts.events.schema.currency` | — | `{\"required\":false,\"type\":\"string\"}` |",
				"diff: `updated [-hourly-]{+every 15 minutes+} from`",
				"- **field-type-changed** `outputPorts.events.schema.amount.type`: field \"amount\" changes type from number to string",
				"**Direct consumers**\n\n- `finance.revenue` @acme/finance, reads port `events`\n- `marketing.attribution` @acme/marketing, reads port `events`",
				"**Downstream consumers**\n\n- `bi.dashboard` @acme/bi, via `finance.revenue`",
				"orders__order_events[\"orders.order_events\"]:::breaking",
				"orders__order_events --> finance__revenue",
				"finance__revenue --> bi__dashboard",
				"**Warnings**\n\n- **lifecycle** `domains/marketing/attribution.cue:14`",
			},
			[]string{"marketing.attribution</code>", "**Errors**"}},
		{"blocked_delete", blockedDeletePlan(), opts,
			[]string{
				"**❌ 2 errors and 1 warning — this change cannot be applied**",
				"- **lifecycle** `domains/customers/products.cue:12:2` customers.customer_profiles has consumers",
				"- **breaking-change** removing an active product needs a deprecation first (`customers.customer_profiles`)",
				"<details open><summary>− delete <code>customers.customer_profiles</code> · 2.3.0 · active",
				"- **product-removed**: the product is removed",
				":::breaking",
				"customers__customer_profiles --> orders__order_events",
			}, nil},
		{"escaping", escapingPlan(), MarkdownOptions{Title: "plan <b>web</b> | *x*"},
			[]string{
				"## plan &lt;b&gt;web&lt;/b&gt; \\| \\*x\\*",
				"<summary>~ update <code>web.click|stream</code> · 1.0.0 → &lt;b&gt;2.0.0&lt;/b&gt;",
				"| `description` | `a \\| b` | `<script>alert(1)</script>↵second line` |",
				"``[\"`tick`\",\"a & b\"]``",
				"`back\\\\|slash`",
				"location &lt;script&gt;x&lt;/script&gt; \\| changed \\*now\\*",
				"`acme ads<script>`",
				"bad value &lt;img src=x onerror=alert(1)&gt; in \\[link\\](http://x) \\| \\_here\\_",
				"git clone failed: &lt;timeout&gt; \\| retry",
				`web__click_stream["web.click#124;stream"]:::breaking`,
			},
			[]string{"long long long long long long long long long long long long long long long long long long"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Markdown(tt.plan, tt.opts)
			checkReport(t, got, DefaultMarkdownMaxLen, tt.opts.Marker)
			for _, s := range tt.want {
				if !strings.Contains(got, s) {
					t.Errorf("report lacks %q", s)
				}
			}
			for _, s := range tt.not {
				if strings.Contains(got, s) {
					t.Errorf("report has %q", s)
				}
			}
			golden(t, tt.name, got)
		})
	}
}

// TestMarkdownDegrades checks each step down in detail on its own, and that
// Markdown takes the most detailed one that fits.
func TestMarkdownDegrades(t *testing.T) {
	p := breakingPlan()
	r := newReport(p, MarkdownOptions{Title: "meshc plan for acme", Marker: "<!-- meshc:acme -->"})
	levels := []struct {
		name string
		want []string
		not  []string
	}{
		{"full", []string{"```mermaid", "| `slo.availability` |", "| `description` |"}, nil},
		{"no_graph", []string{"| `description` |", "The lineage graph is left out"}, []string{"```mermaid"}},
		{"breaking_fields", []string{"| `slo.availability` |", "1 field change: the table is left out", "<details open>", "**Downstream consumers**"}, []string{"```mermaid", "| `description` |"}},
		{"one_line", []string{
			"- ~ update `orders.order_events` · 1.4.0 → 2.0.0 · active · **breaking** (field-type-changed, slo-weakened) · 3 consumers",
			"- ~ update `finance.revenue` · 3.1.0 → 3.1.1 · active",
			"#### marketing\n\n- + create `marketing.campaigns` · 0.1.0 · draft",
		}, []string{"<details", "| path |"}},
		{"counts", []string{"| domain | create | update | delete | breaking |", "| finance | 0 | 1 | 0 | 0 |", "| orders | 0 | 1 | 0 | 1 |"}, []string{"<details", "#### "}},
	}
	prev := 1 << 30
	for d, lv := range levels {
		got, ok := r.render(detail(d), 1<<30, 0)
		if !ok {
			t.Fatalf("%s: render reports it does not fit", lv.name)
		}
		if len(got) >= prev {
			t.Errorf("%s: %d bytes, not smaller than the level before (%d)", lv.name, len(got), prev)
		}
		prev = len(got)
		for _, s := range append(lv.want, "**Impacted teams:** @acme/bi, @acme/finance, @acme/marketing", "| 1 | 2 | 0 | 1 |") {
			if !strings.Contains(got, s) {
				t.Errorf("%s: report lacks %q", lv.name, s)
			}
		}
		for _, s := range lv.not {
			if strings.Contains(got, s) {
				t.Errorf("%s: report has %q", lv.name, s)
			}
		}
		checkReport(t, got, len(got), "<!-- meshc:acme -->")
		if detail(d) == detailCounts {
			break // its size depends on MaxLen: checked below
		}
		if got2 := Markdown(p, MarkdownOptions{Title: "meshc plan for acme", Marker: "<!-- meshc:acme -->", MaxLen: len(got)}); got2 != got {
			t.Errorf("%s: Markdown with MaxLen %d did not pick this level:\n%s", lv.name, len(got), got2)
		}
		if d > 0 {
			golden(t, "breaking_"+lv.name, got)
		}
	}

	// One byte short of the one-line report, products are counted per domain
	// and listed as far as they fit, breaking first.
	oneLine, _ := r.render(detailOneLine, 1<<30, 0)
	got := Markdown(p, MarkdownOptions{Title: "meshc plan for acme", Marker: "<!-- meshc:acme -->", MaxLen: len(oneLine) - 1})
	checkReport(t, got, len(oneLine)-1, "<!-- meshc:acme -->")
	for _, s := range append(levels[detailCounts].want,
		"- ~ update `orders.order_events` · 1.4.0 → 2.0.0 · active · **breaking** (field-type-changed, slo-weakened) · 3 consumers\n- ~ update `finance.revenue`",
		"**Impacted teams:** @acme/bi, @acme/finance, @acme/marketing",
		"- **lifecycle** `domains/marketing/attribution.cue:14`") {
		if !strings.Contains(got, s) {
			t.Errorf("counts: report lacks %q", s)
		}
	}
	if strings.Contains(got, "<details") || strings.Contains(got, "#### ") {
		t.Errorf("counts: report has details or domain headings:\n%s", got)
	}
	golden(t, "breaking_counts", got)
}

// bigPlan has n products in 30 domains, each with fields field changes;
// every 50th is breaking and impacts two teams.
func bigPlan(n, fields int) (*plan.Plan, []string) {
	var changes []*plan.Change
	var breakingTeams []string
	for i := range n {
		dom := fmt.Sprintf("domain%02d", i%30)
		c := &plan.Change{
			Product: fmt.Sprintf("%s.product_%04d", dom, i), Domain: dom, Action: plan.Update,
			Before: vs("1.0.0", "active"), After: vs("1.1.0", "active"),
		}
		switch i % 10 {
		case 3:
			c.Action, c.Before = plan.Create, nil
		case 7:
			c.Action, c.After = plan.Delete, nil
		}
		for f := range fields {
			c.Fields = append(c.Fields, plan.FieldChange{
				Path:   fmt.Sprintf("outputPorts.main.schema.column_%02d.description", f),
				Before: fmt.Sprintf("The column %d of product %d, as it was described before this change.", f, i),
				After:  fmt.Sprintf("The column %d of product %d, as it is described after this change.", f, i),
			})
		}
		c.Impacted = []plan.Impact{{Product: fmt.Sprintf("consumers.reader_%04d", i), Team: fmt.Sprintf("@acme/analysts-%02d", i%40), Port: "main"}}
		if i%50 == 0 {
			c.Action, c.Before, c.After = plan.Update, vs("1.0.0", "active"), vs("2.0.0", "active")
			c.Breaking = []plan.Breaking{{Rule: "field-removed", Path: "outputPorts.main.schema.id", Message: `field "id" is removed`}}
			team := fmt.Sprintf("@acme/breaking-%03d", i/50)
			c.Impacted = append(c.Impacted, plan.Impact{Product: fmt.Sprintf("downstream.user_%04d", i), Team: team, Via: c.Impacted[0].Product})
			breakingTeams = append(breakingTeams, team)
		}
		changes = append(changes, c)
	}
	return newPlan(42, changes, diag.Errorf("breaking-change", "domain00.product_0000 needs a major version")), breakingTeams
}

func TestMarkdownSizeLimit(t *testing.T) {
	p, breakingTeams := bigPlan(3000, 30)
	s := p.Summary
	counts := fmt.Sprintf("| %d | %d | %d | %d |", s.Create, s.Update, s.Delete, s.Breaking)
	if s.Breaking != 60 {
		t.Fatalf("generated plan has %d breaking changes, want 60", s.Breaking)
	}
	for _, limit := range []int{0, 20000, 5000, 2500} {
		t.Run(fmt.Sprint(limit), func(t *testing.T) {
			marker := "<!-- meshc:acme -->"
			got := Markdown(p, MarkdownOptions{Title: "meshc plan for acme", Marker: marker, MaxLen: limit})
			checkReport(t, got, cmp.Or(limit, DefaultMarkdownMaxLen), marker)
			for _, want := range []string{counts, "**❌ 1 error — this change cannot be applied**", "products not shown**: run `meshc plan` locally or see the job summary", "| domain | create | update | delete | breaking |", "needs a major version"} {
				if !strings.Contains(got, want) {
					t.Errorf("report lacks %q", want)
				}
			}
			for _, team := range breakingTeams {
				if !strings.Contains(got, team) {
					t.Errorf("report does not name breaking team %s", team)
				}
			}
			if limit == 0 || limit == 20000 {
				// With room for them, breaking products are listed before the rest.
				if !strings.Contains(got, "- ~ update `domain00.product_0000` · 1.0.0 → 2.0.0 · active · **breaking** (field-removed) · 2 consumers") {
					t.Error("report does not list the first breaking product")
				}
			}
		})
	}
}

func TestMarkdownTinyLimit(t *testing.T) {
	p, _ := bigPlan(100, 3)
	for _, limit := range []int{1500, 300, 60, 10} {
		got := Markdown(p, MarkdownOptions{Title: "meshc plan for acme", Marker: "<!-- meshc:acme -->", MaxLen: limit})
		if len(got) > limit {
			t.Errorf("MaxLen %d: report is %d bytes", limit, len(got))
		}
		if limit >= 60 && !strings.HasPrefix(got, "<!-- meshc:acme -->\n## meshc plan for acme") {
			t.Errorf("MaxLen %d: report starts %q", limit, got[:min(len(got), 60)])
		}
		if limit >= 300 && !strings.Contains(got, "| 10 | 80 | 10 | 2 |") {
			t.Errorf("MaxLen %d: report lacks the counts:\n%s", limit, got)
		}
		if limit >= 1500 && !strings.Contains(got, "**Impacted teams:** @acme/analysts-00, @acme/analysts-10, @acme/breaking-000, @acme/breaking-001, @acme/analysts-01") {
			t.Errorf("MaxLen %d: report does not name the teams of breaking changes first:\n%s", limit, got)
		}
		checkReport(t, got, limit, "")
	}
}

func TestMarkdownGraphTooLarge(t *testing.T) {
	p, _ := bigPlan(600, 0)
	got := Markdown(p, MarkdownOptions{MaxLen: 1 << 30})
	if strings.Contains(got, "```mermaid") || !strings.Contains(got, "_The lineage graph is left out: 612 edges is more than GitHub draws._") {
		t.Errorf("graph of 612 edges not left out:\n%s", got[len(got)-300:])
	}
	checkReport(t, got, 1<<30, "")
}

func TestMarkdownHelpers(t *testing.T) {
	tests := []struct{ got, want string }{
		{code("a`b"), "``a`b``"},
		{code("`a`"), "`` `a` ``"},
		{code(" a "), "`  a  `"},
		{code("a\nb"), "`a↵b`"},
		{value(nil), "—"},
		{value(""), `""`},
		{value(3), "`3`"},
		{value(true), "`true`"},
		{value([]any{"a<b"}), "`[\"a<b\"]`"},
		{value(strings.Repeat("x", 100)), "`" + strings.Repeat("x", 79) + "…`"},
		{text("a_b _c_ 1*2 <i>"), `a_b \_c\_ 1\*2 &lt;i&gt;`},
		{text("ping @acme/everyone, a@b"), "ping @&#8203;acme/everyone, a@&#8203;b"},
		{mention("@acme/finance"), "@acme/finance"},
		{mention("@octocat"), "@octocat"},
		{mention("@acme/x y"), "`@acme/x y`"},
		{mermaidID("orders.order-events"), "orders__order_events"},
		{mermaidLabel(`a "b" <c>`), "a #quot;b#quot; #lt;c#gt;"},
		{cutRunes("ab✅", 4), "ab"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

var (
	delimiterRow = regexp.MustCompile(`^\|(\s*:?-+:?\s*\|)+$`)
	unescaped    = regexp.MustCompile(`(^|[^\\])\|`)
	codeSpan     = regexp.MustCompile("``[^`].*?``|`[^`]*`")
)

// checkReport checks that s is a well-formed report of at most limit bytes:
// it starts with marker, every <details> is closed, every code fence ends
// and every table row has its header's number of cells.
func checkReport(t *testing.T, s string, limit int, marker string) {
	t.Helper()
	if len(s) > limit {
		t.Errorf("report is %d bytes, more than %d", len(s), limit)
	}
	if !strings.HasPrefix(s, marker) {
		t.Errorf("report does not start with %q", marker)
	}
	if o, c := strings.Count(s, "<details"), strings.Count(s, "</details>"); o != c {
		t.Errorf("%d <details> opened, %d closed", o, c)
	}
	if bare := codeSpan.ReplaceAllString(s, ""); strings.Contains(bare, "<script") || strings.Contains(bare, "<img") {
		t.Error("report holds raw HTML from user text outside code")
	}
	lines := strings.Split(s, "\n")
	fence := false
	cells := -1 // the current table's number of pipes; -1 outside a table
	for i, l := range lines {
		if strings.HasPrefix(l, "```") {
			fence = !fence
		}
		if fence || !strings.HasPrefix(l, "|") {
			cells = -1
			continue
		}
		n := len(unescaped.FindAllString(" "+l, -1))
		switch {
		case cells == -1:
			if i+1 >= len(lines) || !delimiterRow.MatchString(lines[i+1]) {
				t.Errorf("line %d: table header without a delimiter row: %q", i+1, l)
			}
			cells = n
		case n != cells:
			t.Errorf("line %d: %d pipes, the table's header has %d: %q", i+1, n, cells, l)
		}
	}
	if fence {
		t.Error("a code fence is not closed")
	}
}

// golden compares got with testdata/markdown/name.md, or writes it when
// UPDATE_GOLDEN is set.
func golden(t *testing.T, name, got string) {
	t.Helper()
	goldenFile(t, filepath.Join("testdata", "markdown", name+".md"), got)
}

// goldenFile compares got with the file at path, or writes it when
// UPDATE_GOLDEN is set.
func goldenFile(t *testing.T, path, got string) {
	t.Helper()
	if os.Getenv("UPDATE_GOLDEN") != "" {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (set UPDATE_GOLDEN=1 to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file (set UPDATE_GOLDEN=1 to update it):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// liveMention is a GitHub mention: an @ not after a word character,
// followed by a handle.
var liveMention = regexp.MustCompile(`(^|[^\w` + "`" + `])@[A-Za-z0-9][\w/-]*`)

// TestMarkdownTenantTextMentionsNoOne: tenant text with an @ (a title,
// a description, a message) reaches the comment inert, at every level of
// detail; only the impacted teams meshc names are mentioned.
func TestMarkdownTenantTextMentionsNoOne(t *testing.T) {
	p := newPlan(2, []*plan.Change{{
		Product: "orders.order_events", Domain: "orders", Action: plan.Update,
		Before: vs("1.0.0", "active"), After: vs("2.0.0", "active"),
		Fields: []plan.FieldChange{
			{Path: "title", Before: "Order events", After: "Order events @acme/everyone"},
			{Path: "description", Before: "hourly", After: "hourly, cc @acme/everyone", Diff: "hourly{+, cc @acme/everyone+}"},
		},
		Breaking: []plan.Breaking{{Rule: "field-removed", Path: "outputPorts.events.schema.x", Message: `field "x" removed, ask @acme/everyone`}},
		Impacted: []plan.Impact{{Product: "finance.revenue", Team: "@acme/finance", Port: "events"}},
	}}, diag.Diagnostic{Severity: diag.Error, Code: "schema", Message: "title: hello @acme/everyone", File: "domains/orders/o.cue", Line: 3})
	p.Skipped = map[string]catalog.Keep{"legacy": {Detail: "unreadable, blame @acme/everyone"}}
	for _, limit := range []int{0, 4000, 1500, 700} {
		s := Markdown(p, MarkdownOptions{Title: "meshc plan for acme", MaxLen: limit})
		prose := stripCode(s)
		for _, m := range liveMention.FindAllString(prose, -1) {
			if strings.TrimLeft(m, " \t\n(") != "@acme/finance" {
				t.Errorf("limit %d: tenant text mentions %q:\n%s", limit, m, s)
			}
		}
	}
}

// stripCode removes fenced blocks and code spans, where GitHub mentions
// no one.
func stripCode(s string) string {
	var out []string
	fence := false
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, "```") {
			fence = !fence
			continue
		}
		if !fence {
			out = append(out, codeSpan.ReplaceAllString(l, ""))
		}
	}
	return strings.Join(out, "\n")
}
