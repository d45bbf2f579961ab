package export

import (
	"strings"
	"testing"

	"github.com/meshc-dev/meshc/pkg/catalog"
)

// longMesh has names Backstage cannot take as they are: a 63-character
// product with a 63-character port, read by a product of another domain,
// and tags Backstage rejects.
func longMesh() *catalog.Mesh {
	long := strings.Repeat("a", 30) + "__" + strings.Repeat("b", 31)
	m := catalog.NewMesh()
	team := func(h string) catalog.Team { return catalog.Team{Name: "Team " + h, GitHub: h} }
	m.Add(&catalog.Domain{Name: "src", Title: "Source", Description: "Where data comes from.", Team: team("@acme/src")}, []*catalog.Product{{
		ID: "src." + long, Name: long, Domain: "src", Title: "Long", Description: "A product with a long name.",
		Version: "1.0.0", Status: catalog.StatusDraft, Classification: "internal", Tags: []string{"ok-tag", "bad--tag-"},
		OutputPorts: map[string]catalog.OutputPort{long: {
			Description: "A port with a long name.", Type: "table", Location: "s3://bucket/x",
			Access: catalog.Access{Visibility: "public"},
			Schema: map[string]catalog.Field{"id": {Type: "string", Description: "Key."}},
		}},
	}})
	m.Add(&catalog.Domain{Name: "dst", Title: "Destination", Description: "Where data goes.", Team: team("@alice")}, []*catalog.Product{{
		ID: "dst.reader", Name: "reader", Domain: "dst", Title: "Reader", Description: "Reads the long port.",
		Version: "1.0.0", Status: catalog.StatusRetired, Classification: "internal",
		InputPorts: map[string]catalog.InputPort{"in": {Product: "src." + long, Port: long}},
		OutputPorts: map[string]catalog.OutputPort{"out": {
			Description: "Its output.", Type: "view", Location: "bigquery://p.d.t",
			Access: catalog.Access{Visibility: "public"}, Schema: map[string]catalog.Field{},
		}},
	}})
	return m
}

func TestBackstageNames(t *testing.T) {
	m := longMesh()
	res, err := backstageFormat.Run(m, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Valid entities, and the reader's consumesApis names the very API the
	// long product provides.
	LoadSchemas(t, "testdata/schemas").Validate(t, "backstage", res.Files)
	var renamed, tags int
	for _, l := range res.Losses {
		switch {
		case l.Kind == LossRenamed && strings.Contains(l.Message, "Backstage names"):
			renamed++
		case strings.HasPrefix(l.Path, "tags["):
			tags++
		}
		if l.Product == "dst.reader" {
			t.Errorf("the consumer is blamed for its producer's name: %s", l)
		}
	}
	if renamed != 2 || tags != 1 { // the system (and component) and the API; the tag
		t.Errorf("%d renames and %d tag losses, want 2 and 1:\n%v", renamed, tags, res.Losses)
	}
	reader := string(res.Files["dst/reader.yaml"])
	for _, want := range []string{"owner: user:default/alice", "lifecycle: deprecated", "meshc.dev/status: retired"} {
		if !strings.Contains(reader, want) {
			t.Errorf("dst/reader.yaml lacks %q:\n%s", want, reader)
		}
	}
}

func TestLifecycle(t *testing.T) {
	for status, want := range map[string]string{
		"proposed": "experimental", "draft": "experimental", "active": "production",
		"deprecated": "deprecated", "retired": "deprecated",
	} {
		if got := Lifecycle(status); got != want {
			t.Errorf("Lifecycle(%s) = %s, want %s", status, got, want)
		}
	}
}

func TestBackstageName(t *testing.T) {
	var r Report
	n := &backstageNames{losses: &r}
	for _, tc := range []struct {
		in      string
		renamed bool
	}{
		{"orders.order_events", false},
		{strings.Repeat("x", 63), false},
		{strings.Repeat("x", 64), true},
		{"a__b", true},
		{"a_", true},
		{"_a", true},
	} {
		got := n.name("p", tc.in, "path")
		if len(got) > 63 || !entityName.MatchString(got) {
			t.Errorf("name(%q) = %q: not a Backstage name", tc.in, got)
		}
		if (got != tc.in) != tc.renamed {
			t.Errorf("name(%q) = %q; renamed want %v", tc.in, got, tc.renamed)
		}
	}
	if a, b := n.name("p", "a__b", "x"), n.name("p", "a_b", "x"); a == b {
		t.Errorf("a__b and a_b both map to %q", a)
	}
	if len(r) != 5 {
		t.Errorf("%d renames reported, want 5: %v", len(r), r)
	}
}
