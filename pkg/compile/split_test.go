package compile

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/cuecontext"
	"cuelang.org/go/cue/parser"

	"github.com/meshc-dev/meshc/internal/meshgen"
	"github.com/meshc-dev/meshc/pkg/catalog"
	"github.com/meshc-dev/meshc/pkg/config"
	"github.com/meshc-dev/meshc/pkg/source"
)

// whole evaluates d as one value, unified with #DomainFile as a whole: the
// reference the product-by-product ways must agree with.
func whole(t *testing.T, s *Schema, d *source.Domain) domainResult {
	t.Helper()
	ctx := cuecontext.New()
	sch, _ := s.build(ctx)
	loc, opts := s.naming(d)
	v, ds := load(ctx, d, opts)
	if ds != nil {
		t.Fatalf("%s: %v", d.Name, ds)
	}
	v = sch.LookupPath(domainFilePath).FillPath(domainNamePath, d.Name).Unify(v)
	if err := v.Validate(cue.Concrete(true)); err != nil {
		t.Fatalf("%s: %v", d.Name, err)
	}
	r := domainResult{domain: &catalog.Domain{Name: d.Name, Source: d.Source, Locate: loc.locate}}
	r.decodeAll(v, d)
	return r
}

type way int

const (
	bySyntax way = iota
	byValue
)

// cores is how many cores split lets one domain use.
var cores = 1

// split evaluates d product by product, the way named.
func split(t *testing.T, s *Schema, d *source.Domain, w way) (domainResult, bool) {
	t.Helper()
	ctx := cuecontext.New()
	sch, _ := s.build(ctx)
	loc, opts := s.naming(d)
	if w == bySyntax {
		return s.evaluateSyntax(ctx, sch, d, loc, cores)
	}
	v, ds := load(ctx, d, opts)
	if ds != nil {
		t.Fatalf("%s: %v", d.Name, ds)
	}
	return s.evaluateSplit(sch, v, d, loc)
}

func meshOf(t *testing.T, dir string) (*Schema, []*source.Domain) {
	t.Helper()
	cfg, err := config.Load(filepath.Join(dir, "mesh.cue"))
	if err != nil {
		t.Fatal(err)
	}
	s, ds, err := LoadSchema(cfg)
	if err != nil || len(ds) > 0 {
		t.Fatalf("schema: %v %v", err, ds)
	}
	domains, err := source.Fetch(context.Background(), cfg, source.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return s, domains
}

func sameResult(t *testing.T, name string, got, want domainResult) {
	t.Helper()
	byID := func(a, b *catalog.Product) int { return strings.Compare(a.ID, b.ID) }
	slices.SortFunc(got.products, byID)
	slices.SortFunc(want.products, byID)
	if len(got.products) != len(want.products) {
		t.Fatalf("%s: %d products; whole-domain evaluation has %d", name, len(got.products), len(want.products))
	}
	for i := range got.products {
		if !reflect.DeepEqual(got.products[i], want.products[i]) {
			t.Errorf("%s: product %s differs from the whole-domain evaluation:\n got %+v\nwant %+v", name, want.products[i].ID, *got.products[i], *want.products[i])
		}
	}
	g, w := *got.domain, *want.domain
	g.Locate, w.Locate = nil, nil
	if !reflect.DeepEqual(g, w) {
		t.Errorf("%s: domain %+v; whole-domain evaluation has %+v", name, g, w)
	}
}

// TestSplitAgrees holds both product-by-product ways to the whole-domain
// evaluation on a generated mesh (no policies: products decoded from their
// syntax) and on catalog-example (policies: CUE exports them). It is also
// the guard of decoding from syntax: if the embedded schema ever added data to a
// product (a default, a concrete field), decoding from the syntax would
// miss it and this test would say so.
func TestSplitAgrees(t *testing.T) {
	gen := t.TempDir()
	if _, err := meshgen.Write(gen, meshgen.Options{Domains: 3, ProductsPerDomain: 8, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{gen, "../../catalog-example"} {
		s, domains := meshOf(t, dir)
		for _, d := range domains {
			want := whole(t, s, d)
			for _, w := range []way{bySyntax, byValue} {
				got, ok := split(t, s, d, w)
				if !ok {
					// catalog-example's files are plain data too, so both
					// ways must answer for every valid domain here.
					t.Fatalf("%s (way %d): declined a valid, plain domain", d.Name, w)
				}
				sameResult(t, d.Name, got, want)
			}
		}
	}
}

// TestSplitDeclines covers what the product-by-product ways must leave to
// the whole-domain evaluation.
func TestSplitDeclines(t *testing.T) {
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS("../../catalog-example")); err != nil {
		t.Fatal(err)
	}
	os.RemoveAll(filepath.Join(dir, ".meshc"))
	orders := filepath.Join(dir, "domains/orders")
	write := func(name, src string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(orders, name), []byte("package orders\n\n"+src+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	find := func(domains []*source.Domain) *source.Domain {
		for _, d := range domains {
			if d.Name == "orders" {
				return d
			}
		}
		t.Fatal("no domain orders")
		return nil
	}

	// A reference: not plain data, but the built package splits.
	write("zz_ref.cue", `_version: "1.4.0"
products: order_events: version: _version`)
	s, domains := meshOf(t, dir)
	d := find(domains)
	if _, ok := split(t, s, d, bySyntax); ok {
		t.Error("bySyntax accepted files with a reference")
	}
	got, ok := split(t, s, d, byValue)
	if !ok {
		t.Fatal("byValue declined a valid domain with a hidden helper")
	}
	sameResult(t, d.Name, got, whole(t, s, d))
	os.Remove(filepath.Join(orders, "zz_ref.cue"))

	// A product declared in two files: the built package splits.
	write("zz_more.cue", `products: order_events: version: "1.4.0"`)
	s, domains = meshOf(t, dir)
	d = find(domains)
	if _, ok := split(t, s, d, bySyntax); ok {
		t.Error("bySyntax accepted a product declared twice")
	}
	if got, ok = split(t, s, d, byValue); !ok {
		t.Fatal("byValue declined a valid domain with a product in two files")
	}
	sameResult(t, d.Name, got, whole(t, s, d))
	os.Remove(filepath.Join(orders, "zz_more.cue"))

	// An invalid product: neither way answers, so that the whole-domain
	// evaluation reports it.
	write("zz_bad.cue", `products: order_events: status: "gone"`)
	s, domains = meshOf(t, dir)
	d = find(domains)
	for _, w := range []way{bySyntax, byValue} {
		if _, ok := split(t, s, d, w); ok {
			t.Errorf("way %d accepted an invalid product", w)
		}
	}
	os.Remove(filepath.Join(orders, "zz_bad.cue"))

	// A field the schema does not define, at the top or in a product.
	for _, src := range []string{`owner: "x"`, `products: order_events: owner: "x"`} {
		write("zz_extra.cue", src)
		s, domains = meshOf(t, dir)
		d = find(domains)
		for _, w := range []way{bySyntax, byValue} {
			if _, ok := split(t, s, d, w); ok {
				t.Errorf("way %d accepted %s", w, src)
			}
		}
	}
	os.Remove(filepath.Join(orders, "zz_extra.cue"))

	// A policy on #DomainFile may relate products: no split at all.
	if err := os.WriteFile(filepath.Join(dir, "policies/zz_domain.cue"), []byte("package mesh\n\n#DomainFile: products: [string]: title: =~\"^[A-Z]\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s, domains = meshOf(t, dir)
	if s.splittable() {
		t.Error("a policy on #DomainFile left the schema splittable")
	}
	d = find(domains)
	for _, w := range []way{bySyntax, byValue} {
		if _, ok := split(t, s, d, w); ok {
			t.Errorf("way %d split under a policy on #DomainFile", w)
		}
	}
}

func TestAppendJSON(t *testing.T) {
	ctx := cuecontext.New()
	for src, want := range map[string]string{
		`{a: "x\ty", b: [1, -2.5, true, null], "c-d": {}}`: `{"a":"x\ty","b":[1,-2.5,true,null],"c-d":{}}`,
		`{a: """
			multi
			line
			"""}`: `{"a":"multi\nline"}`,
		`{a: #"raw\n"#}`: `{"a":"raw\\n"}`,
		`{a: 1_000}`:     "",
		`{a: 0x10}`:      "",
		`{a: 1, a: 1}`:   "",
		`{a?: 1}`:        "",
		`{a: 1 | 2}`:     "",
		`{a: "\(1)"}`:    "",
		`{a: 'bytes'}`:   "",
	} {
		v := ctx.CompileString(src)
		x, _ := parseExpr(src)
		b, ok := appendJSON(nil, x)
		switch {
		case want == "" && ok:
			t.Errorf("%s: plain JSON %s; want CUE to export it", src, b)
		case want != "" && (!ok || string(b) != want):
			t.Errorf("%s: %s (%v); want %s", src, b, ok, want)
		}
		if want != "" {
			exp, err := v.MarshalJSON()
			if err != nil || !jsonEqual(t, exp, b) {
				t.Errorf("%s: CUE exports %s, appendJSON gives %s", src, exp, b)
			}
		}
	}
}

func parseExpr(src string) (ast.Expr, error) { return parser.ParseExpr("x.cue", src) }

func jsonEqual(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}

// TestSplitAgreesInParallel checks the products of a big domain checked
// on several cores against the whole-domain evaluation (under -race in
// CI, it also checks the workers share nothing).
func TestSplitAgreesInParallel(t *testing.T) {
	defer func(n, c int) { parallelFrom, cores = n, c }(parallelFrom, cores)
	parallelFrom, cores = 4, 2
	gen := t.TempDir()
	if _, err := meshgen.Write(gen, meshgen.Options{Domains: 2, ProductsPerDomain: 40, Seed: 11}); err != nil {
		t.Fatal(err)
	}
	s, domains := meshOf(t, gen)
	for _, d := range domains {
		got, ok := split(t, s, d, bySyntax)
		if !ok {
			t.Fatalf("%s: declined a valid, plain domain", d.Name)
		}
		sameResult(t, d.Name, got, whole(t, s, d))
	}
}
