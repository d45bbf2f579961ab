package compile

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/build"
	"cuelang.org/go/cue/cuecontext"
	cueload "cuelang.org/go/cue/load"

	schema "github.com/meshc-dev/meshc/cue"
	"github.com/meshc-dev/meshc/pkg/catalog"
	"github.com/meshc-dev/meshc/pkg/diag"
	"github.com/meshc-dev/meshc/pkg/internal/cueerr"
	"github.com/meshc-dev/meshc/pkg/rule"
	"github.com/meshc-dev/meshc/pkg/source"
)

// Result is a compiled mesh.
type Result struct {
	Mesh *catalog.Mesh
	// Invalid holds the ids of products that were declared but failed the
	// schema; they are not in Mesh, and checks must not report references
	// to them as unknown.
	Invalid map[string]bool
	// Failed holds the domains that could not be evaluated at all (not one
	// CUE package, or invalid CUE): references into them are not "unknown".
	Failed map[string]bool
	// Diagnostics holds every problem found, sorted.
	Diagnostics diag.Diagnostics
}

// Options tunes compilation.
type Options struct {
	// Workers is how many domains evaluate at once; 0 means GOMAXPROCS.
	Workers int
	// Cache, when set, keeps each domain's result between runs.
	Cache *Cache
	// Budget, when set, bounds each domain's evaluation, which then runs
	// in a child process that is killed when it is spent or ctx ends.
	Budget Budget
	// InProcess evaluates in this process even where a caller would set
	// a budget (mesh.Load sets mesh.cue's): for measuring, and for tests.
	InProcess bool

	// cores is how many cores one domain's evaluation may use: all the
	// workers would, when fewer domains than workers evaluate (a
	// pull-request check evaluates one).
	cores int
}

// Compile evaluates every domain against s and decodes the results. It
// stops early only when ctx is cancelled.
func Compile(ctx context.Context, s *Schema, domains []*source.Domain, o Options) *Result {
	workers := o.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	o.cores = 1
	if n := len(domains); n > 0 && n < workers {
		o.cores = workers / n
	}
	results := make([]domainResult, len(domains))
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range min(workers, len(domains)) {
		wg.Go(func() {
			for i := range jobs {
				results[i] = evaluateCached(ctx, s, domains[i], o)
			}
		})
	}
feed:
	for i := range domains {
		select {
		case jobs <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(jobs)
	wg.Wait()

	r := &Result{Mesh: catalog.NewMesh(), Invalid: map[string]bool{}, Failed: map[string]bool{}}
	for i, dr := range results {
		if dr.domain != nil {
			r.Mesh.Add(dr.domain, dr.products)
		}
		if dr.failed {
			r.Failed[domains[i].Name] = true
		}
		for _, id := range dr.invalid {
			r.Invalid[id] = true
		}
		r.Diagnostics = append(r.Diagnostics, dr.diags...)
	}
	r.Diagnostics.Sort()
	r.Diagnostics = r.Diagnostics.Compact()
	return r
}

type domainResult struct {
	domain   *catalog.Domain
	products []*catalog.Product
	invalid  []string
	failed   bool
	diags    diag.Diagnostics
}

// domainJSON is how #DomainFile decodes.
type domainJSON struct {
	Domain   catalog.Domain              `json:"domain"`
	Products map[string]*catalog.Product `json:"products"`
}

var (
	domainFilePath = cue.MakePath(cue.Def("DomainFile"))
	domainNamePath = cue.MakePath(cue.Def("name"))
	domainPath     = cue.ParsePath("domain")
	productsPath   = cue.ParsePath("products")
)

// evaluateCached returns the domain's result from the cache, or evaluates
// it and stores the result.
func evaluateCached(ctx context.Context, s *Schema, d *source.Domain, o Options) domainResult {
	eval := func() domainResult {
		if o.Budget.Set() {
			return evaluateChild(ctx, s, d, o.Budget, o.cores)
		}
		return evaluate(s, d, o.cores)
	}
	c := o.Cache
	if c == nil {
		return eval()
	}
	key, ok := c.key(s, d)
	if !ok {
		return eval()
	}
	if r, hit := c.load(key, d); hit {
		c.hits.Add(1)
		return r
	}
	c.misses.Add(1)
	r := eval()
	if ctx.Err() == nil && !overBudget(r) {
		c.store(key, r)
	}
	return r
}

// overBudget reports whether r is a budget's error, which a later run
// with another budget or on an idle machine may not meet: never cached.
func overBudget(r domainResult) bool {
	return r.failed && r.domain == nil && len(r.diags) == 1 && r.diags[0].Code == "source" && strings.Contains(r.diags[0].Message, "its evaluation")
}

// evaluate compiles one domain in a fresh cue.Context, so that nothing of it
// outlives the call.
func evaluate(s *Schema, d *source.Domain, cores int) domainResult {
	ctx := cuecontext.New()
	sch, ds := s.build(ctx)
	if len(ds) > 0 {
		// Reported once by LoadSchema; nothing can be checked without it.
		return domainResult{}
	}
	loc, opts := s.naming(d)
	// A file of no package or another package is an error at that file,
	// which says more than the loader's error for the directory; the
	// domain is still compiled when the loader can build it, so that the
	// mesh's checks see it (two domains reading one directory, say).
	pkgs := source.CheckPackages(d)
	shared := s.sharesSource(d.Name)
	if shared {
		pkgs = nil // the ownership check names the one mistake: one directory for two domains
	}
	// The fast way takes only a domain whose files meshc accepts as they
	// are; any it refuses goes the whole-domain way, which reports it.
	if !shared && len(pkgs) == 0 && acceptable(d) {
		if r, ok := s.evaluateSyntax(ctx, sch, d, loc, cores); ok {
			r.provenance()
			return r
		}
	}
	v, ds := load(ctx, d, opts)
	if ds != nil {
		if len(pkgs) > 0 {
			ds = pkgs
		}
		return domainResult{diags: ds, failed: true}
	}
	if r, ok := s.evaluateSplit(sch, v, d, loc); ok {
		r.diags = append(r.diags, pkgs...)
		r.provenance()
		return r
	}
	// Fill the name into the schema before unifying: filling it after
	// would evaluate the whole domain a second time.
	v = sch.LookupPath(domainFilePath).FillPath(domainNamePath, d.Name).Unify(v)

	r := domainResult{domain: &catalog.Domain{Name: d.Name, Source: d.Source, Locate: loc.locate}}
	if v.Validate(cue.Concrete(true)) == nil {
		r.decodeAll(v, d)
	} else {
		r.salvage(v, d, loc, opts)
	}
	r.diags = append(r.diags, pkgs...)
	r.provenance()
	return r
}

// sharesSource reports whether another domain of mesh.cue reads the same
// source as domain name.
func (s *Schema) sharesSource(name string) bool {
	if s.cfg == nil {
		return false
	}
	d, ok := s.cfg.Domains[name]
	if !ok {
		return false
	}
	for other, o := range s.cfg.Domains {
		if other != name && o.Git == d.Git && o.Ref == d.Ref && filepath.Clean(o.Path) == filepath.Clean(d.Path) {
			return true
		}
	}
	return false
}

// naming says how the domain's files are named in diagnostics (as their
// repository or the mesh root names them) and where its paths are declared.
func (s *Schema) naming(d *source.Domain) (*locator, cueerr.Options) {
	prefix := filePrefix(d)
	own := func(name string) bool { return strings.HasPrefix(name, prefix) }
	if prefix == "" { // a domain at a repository's root
		own = func(name string) bool { return !filepath.IsAbs(name) && !schema.IsSchemaFile(name) }
	}
	loc := newLocator(d.FS, prefix)
	return loc, cueerr.Options{
		Rel: s.rel, Own: own, Domain: d.Name, Code: classify, Constraint: s.constraintAt, PolicyOf: s.policyByLiteral,
		Locate: func(path []string) diag.Pos { return loc.locate(strings.Join(path, ".")) },
	}
}

// filePrefix is what names the domain's files: "domains/orders/" under a
// mesh root, "mesh/" in a repository, nothing at a repository's root.
func filePrefix(d *source.Domain) string {
	if d.Dir == "." || d.Dir == "" {
		return ""
	}
	return d.Dir + "/"
}

// acceptable reports whether d's files pass the checks load makes before
// CUE sees them: UTF-8 text, no module dependencies.
func acceptable(d *source.Domain) bool {
	return len(source.CheckUTF8(d)) == 0 && moduleDeps(d) == nil
}

// instance loads (parses) the domain's CUE package from its own files.
func instance(d *source.Domain) *build.Instance {
	prefix := filePrefix(d)
	return cueload.Instances([]string{"."}, &cueload.Config{
		FS:         d.FS,
		Dir:        "/",
		FromFSPath: func(p string) string { return prefix + strings.TrimPrefix(p, "/") },
		// No module is ever fetched: a domain's CUE is its own files.
		Registry: noRegistry{},
		Env:      []string{},
	})[0]
}

// load builds the domain's CUE package; diagnostics say why it cannot be.
func load(ctx *cue.Context, d *source.Domain, opts cueerr.Options) (cue.Value, diag.Diagnostics) {
	if ds := source.CheckUTF8(d); len(ds) > 0 {
		return cue.Value{}, ds
	}
	if ds := moduleDeps(d); ds != nil {
		return cue.Value{}, ds
	}
	inst := instance(d)
	if inst.Err != nil {
		return cue.Value{}, loadError(inst, d, opts)
	}
	v := ctx.BuildInstance(inst)
	// Conflicting values make the whole value an error, yet its products
	// are still there to validate one by one; anything worse (a reference
	// that does not resolve) fails the domain.
	if err := v.Err(); err != nil && !v.LookupPath(productsPath).Exists() {
		return cue.Value{}, cueerr.Diagnostics(err, opts)
	}
	return v, nil
}

// decodeAll decodes a valid domain.
func (r *domainResult) decodeAll(v cue.Value, d *source.Domain) {
	var dj domainJSON
	if err := decode(v, &dj); err != nil {
		r.diags = append(r.diags, schemaError(d, err))
		return
	}
	r.setDomain(&dj.Domain)
	for _, p := range dj.Products {
		r.products = append(r.products, p)
	}
}

// salvage reports every error of a domain that has some, and decodes what
// is valid, so that one bad product hides neither its own other problems
// nor its domain's other products from the mesh checks.
func (r *domainResult) salvage(v cue.Value, d *source.Domain, loc *locator, opts cueerr.Options) {
	for _, err := range validateDeep(v, "", loc) {
		r.diags = append(r.diags, cueerr.Diagnostics(err, opts)...)
	}
	r.diags = dropNested(r.diags)
	r.diags = requiredInWords(r.diags, v, loc, opts)
	r.diags = oneForABadName(r.diags, loc)
	for i, dg := range r.diags {
		if dg.Code == "ownership" {
			r.diags[i].Message += fmt.Sprintf(": meshc sets names and ids from mesh.cue, and domain %s may declare only itself and its own products; remove the field", dg.Domain)
		}
	}
	var hdr catalog.Domain
	if decode(v.LookupPath(domainPath), &hdr) == nil {
		r.setDomain(&hdr)
	}
	for _, name := range loc.children("products") {
		pv := v.LookupPath(cue.MakePath(cue.Str("products"), cue.Str(name)))
		var p catalog.Product
		if pv.Validate(cue.Concrete(true)) != nil || decode(pv, &p) != nil {
			r.invalid = append(r.invalid, d.Name+"."+name)
			continue
		}
		r.products = append(r.products, &p)
	}
}

// validateDeep returns v's errors and those of its fields, depth levels
// down. CUE reports some errors of a value only when it is validated on its
// own: a "field is required" is dropped when a sibling has a hard error,
// and only the first errors of a struct are reported. A domain team wants
// every problem of its change in one run.
//
// The fields to descend into are the ones the domain's files declare: CUE
// cannot list the fields of a struct that is itself in error.
func validateDeep(v cue.Value, path string, loc *locator) []error {
	err := v.Validate(cue.Concrete(true))
	if err == nil {
		return nil
	}
	errs := []error{err}
	for _, name := range loc.children(path) {
		errs = append(errs, validateDeep(v.LookupPath(cue.MakePath(cue.Str(name))), join(path, name), loc)...)
	}
	return errs
}

// requiredInWords reports every required field the domain's header or a
// product leaves unset as "<path>: required: <what it holds>", and drops
// what CUE says instead or because of it: "incomplete value =~...", and
// "non-concrete value ... in operand to !=" from a condition on the
// missing field. One mistake, one diagnostic, in the user's words.
func requiredInWords(ds diag.Diagnostics, v cue.Value, loc *locator, opts cueerr.Options) diag.Diagnostics {
	var missing diag.Diagnostics
	if loc.declared([]string{"domain"}) {
		missing = append(missing, cueerr.Missing(v.LookupPath(domainPath), []string{"domain"}, loc.declared, opts)...)
	}
	for _, name := range loc.children("products") {
		pv := v.LookupPath(cue.MakePath(cue.Str("products"), cue.Str(name)))
		missing = append(missing, cueerr.Missing(pv, []string{"products", name}, loc.declared, opts)...)
	}
	if len(missing) == 0 {
		return ds
	}
	var paths []string
	for _, m := range missing {
		p, _, _ := strings.Cut(m.Message, ": ")
		paths = append(paths, p)
	}
	return append(slices.DeleteFunc(ds, func(d diag.Diagnostic) bool {
		p, rest, _ := strings.Cut(d.Message, ": ")
		switch {
		case strings.HasPrefix(rest, "a value another field depends on is not set"):
			// a condition on a missing field: the product's missing field says it
			for _, m := range missing {
				if m.Product == d.Product && m.Domain == d.Domain {
					return true
				}
			}
		case strings.HasPrefix(rest, "required"):
			for _, mp := range paths {
				if p == mp || strings.HasPrefix(p, mp+".") {
					return true
				}
			}
		}
		return false
	}), missing...)
}

// oneForABadName reports a product key that is not a valid name once:
// meshc derives the product's name and id from it, and CUE reports both.
func oneForABadName(ds diag.Diagnostics, loc *locator) diag.Diagnostics {
	bad := map[string]bool{}
	for i, d := range ds {
		prefix, ok := strings.CutSuffix(d.Message[:max(0, strings.Index(d.Message, ": "))], ".name")
		if !ok || !strings.HasPrefix(prefix, "products.") || !strings.Contains(d.Message, "invalid value") {
			continue
		}
		_, key, _ := strings.Cut(prefix, ".")
		bad[prefix] = true
		_, why, _ := strings.Cut(d.Message, ": must be ")
		ds[i].Message = fmt.Sprintf("%s: the product name %s is not a name meshc can give it: it must be %s; rename the product", prefix, key, why)
		if name, err := strconv.Unquote(key); err == nil {
			if pos := loc.locate("products." + name); pos.IsValid() {
				ds[i] = ds[i].At(pos)
			}
		}
	}
	return slices.DeleteFunc(ds, func(d diag.Diagnostic) bool {
		p, _, _ := strings.Cut(d.Message, ": ")
		owner, field, ok := strings.Cut(p, ".id")
		return ok && field == "" && bad[owner]
	})
}

// dropNested keeps only the outermost "field not allowed" of each misspelt
// field: CUE reports every field below it as not allowed too.
func dropNested(ds diag.Diagnostics) diag.Diagnostics {
	const marker = ": field not allowed"
	var roots []string
	for _, d := range ds {
		if p, _, ok := strings.Cut(d.Message, marker); ok {
			roots = append(roots, p+".")
		}
	}
	return slices.DeleteFunc(ds, func(d diag.Diagnostic) bool {
		p, _, ok := strings.Cut(d.Message, marker)
		if !ok {
			return false
		}
		for _, r := range roots {
			if strings.HasPrefix(p, r) {
				return true
			}
		}
		return false
	})
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// provenance records the domain's source on each product.
func (r *domainResult) provenance() {
	for _, p := range r.products {
		src := r.domain.Source
		p.Source = &src
	}
}

func (r *domainResult) setDomain(d *catalog.Domain) {
	r.domain.Title, r.domain.Description, r.domain.Team = d.Title, d.Description, d.Team
}

// decode goes through JSON: measurably faster than Value.Decode.
func decode(v cue.Value, into any) error {
	b, err := v.MarshalJSON()
	if err != nil {
		return err
	}
	return json.Unmarshal(b, into)
}

var _ = rule.Register(rule.Rule{
	ID: "schema", Code: "schema", Stage: rule.Compile,
	Purpose: "every domain's CUE is valid and satisfies the platform schema and policies",
	Explanation: `Each domain's files are unified with the platform schema (cue/product.cue)
and the platform's policies; every conflict, missing field, misspelt field or
invalid value is an error at the user's own line, with the schema's reason.
mesh.cue and the policy files are checked the same way, under the same code.

  products: refunds: {
  	version: "1.0"
  	status:  "actve"
  	outputPort: x: {}
  }

  domains/orders/more.cue:6:18: schema: products.refunds.version: invalid value "1.0": must be a semantic version MAJOR.MINOR.PATCH, e.g. "1.4.0"
  domains/orders/more.cue:7:18: schema: products.refunds.status: invalid value "actve": must be one of proposed, draft, active, deprecated, retired
  domains/orders/more.cue:9:14: schema: products.refunds.outputPort.x: field not allowed; did you mean outputPorts?

Every problem of a domain is reported in one run, and the domain's valid
products are still checked. Fix the value as the message says; the schema
is closed, so a field it does not define is an error.`,
})

// classify gives conflicts with the names meshc injects the ownership code:
// a domain's files may not claim another domain's name or products.
func classify(path []string, msg string) string {
	if !strings.Contains(msg, "conflicting values") {
		return "schema"
	}
	switch {
	case len(path) == 2 && path[0] == "domain" && path[1] == "name",
		len(path) == 3 && path[0] == "products" && (path[2] == "id" || path[2] == "domain" || path[2] == "name"):
		return "ownership"
	}
	return "schema"
}

func schemaError(d *source.Domain, err error) diag.Diagnostic {
	de := diag.Errorf("schema", "%v", err)
	de.Domain = d.Name
	return de.At(diag.Pos{File: d.Dir})
}

var _ = rule.Register(rule.Rule{
	ID: "source", Code: "source", Stage: rule.Compile,
	Purpose: "every domain's directory holds one CUE package, named after the domain, in UTF-8",
	Explanation: `A domain's path in mesh.cue must hold .cue files of one CUE package, the
domain's own: every file of domain orders starts with package orders. Nothing
is left out in silence: a file without a package clause, or of another
package, is an error at that file naming the package it must be; bytes that
are not UTF-8 are an error at their line, never replaced. An empty or
misplaced directory is an error at the directory. A domain that cannot be
loaded is left out of the plan (its products stay as the live catalog has
them):

  domains/empty: source: no .cue files of one package in domains/empty: add the domain's CUE files or fix its path in mesh.cue
  domains/orders/other.cue:1:9: source: the file is package billing, but the files of domain orders are package orders: change its package clause to package orders
  domains/orders/notes.cue:1:1: source: the file has no package clause, so it would not be part of domain orders: start it with package orders
  domains/orders/orders.cue:12:23: source: byte 0xe9 is not UTF-8: CUE files are UTF-8 text; save the file as UTF-8

Fix the path in mesh.cue, or give every file of the domain the package
clause package orders, saved as UTF-8.`,
})

// loadError reports a domain directory that is not one CUE package.
func loadError(inst *build.Instance, d *source.Domain, o cueerr.Options) diag.Diagnostics {
	ds := cueerr.Diagnostics(inst.Err, o)
	for i := range ds {
		ds[i].Code = "source"
		if !ds[i].Pos().IsValid() {
			ds[i] = ds[i].At(diag.Pos{File: d.Dir})
		}
		if strings.Contains(ds[i].Message, "no CUE files") || strings.Contains(ds[i].Message, "cannot find package") {
			ds[i].Message = "no .cue files of one package in " + d.Dir + ": add the domain's CUE files or fix its path in mesh.cue"
		}
	}
	return ds
}
