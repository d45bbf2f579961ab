package compile

import (
	"io/fs"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/cuecontext"
	"cuelang.org/go/cue/parser"
	"cuelang.org/go/cue/token"

	schema "github.com/meshc-dev/meshc/cue"
	"github.com/meshc-dev/meshc/pkg/catalog"
	"github.com/meshc-dev/meshc/pkg/source"
)

// A valid domain is evaluated product by product. Its products are
// independent under the schema, so each is unified with the products'
// pattern of #DomainFile on its own, and the domain header once, instead of
// the whole domain as one value. The whole value of a domain of 1,000
// products takes ~200 MB while it is evaluated (~200 KB a product); two of
// them at once pass the 512 MB soft memory limit, and the collector then
// runs all the time: a big domain cost five times its products. Product by
// product, each value is garbage once decoded, and the cost is linear.
//
// Both ways below answer only for a domain that is entirely valid and say
// false otherwise: errors are then reported by the whole-domain evaluation
// (evaluate), so that every diagnostic, position and message stays as it
// was. They also decline whatever they cannot prove equivalent to it.

// evaluateSyntax evaluates a domain straight from its files' syntax,
// without building the domain's package at all, when the files are plain
// data: each file of the same package, with at the top only domain and
// products fields, every product declared once and, like the header, a
// literal without references (no identifiers, comprehensions, aliases or
// lets), so that a product means the same alone as in its package. Files
// are read, parsed and evaluated one at a time: a file's syntax is garbage
// once its products are decoded (the syntax of a whole 1,000-product
// domain is ~100 MB).
func (s *Schema) evaluateSyntax(ctx *cue.Context, sch cue.Value, d *source.Domain, loc *locator, cores int) (domainResult, bool) {
	if !s.splittable() {
		return domainResult{}, false
	}
	files, err := fs.Glob(d.FS, "*.cue")
	if err != nil || len(files) == 0 {
		return domainResult{}, false
	}
	df := sch.LookupPath(domainFilePath).FillPath(domainNamePath, d.Name)
	pattern := df.LookupPath(productsPath)
	plain := s.addsNoData()
	prefix := filePrefix(d)
	var header []ast.Expr
	var jobs []productJob
	var products []*catalog.Product
	// One core: each product is checked as it is read, so that only one
	// file's syntax is held at a time.
	inline := cores <= 1
	seen := map[string]bool{}
	pkg := ""
	for _, name := range files {
		// The CUE loader leaves out files named _* and .*; so does the
		// whole-domain way, which then answers.
		if strings.HasPrefix(name, "_") || strings.HasPrefix(name, ".") {
			return domainResult{}, false
		}
		src, err := fs.ReadFile(d.FS, name)
		if err != nil {
			return domainResult{}, false
		}
		f, err := parser.ParseFile(prefix+name, src)
		if err != nil || f.PackageName() == "" || (pkg != "" && f.PackageName() != pkg) {
			return domainResult{}, false
		}
		pkg = f.PackageName()
		for _, decl := range f.Decls {
			switch x := decl.(type) {
			case *ast.Package, *ast.CommentGroup:
				continue
			case *ast.Field:
				label, ok := plainLabel(x)
				if !ok {
					return domainResult{}, false
				}
				switch label {
				case "domain":
					if !plainData(x.Value) {
						return domainResult{}, false
					}
					header = append(header, x.Value)
				case "products":
					st, ok := x.Value.(*ast.StructLit)
					if !ok {
						return domainResult{}, false
					}
					for _, elt := range st.Elts {
						switch e := elt.(type) {
						case *ast.CommentGroup, *ast.Attribute:
							continue
						case *ast.Field:
							pname, ok := plainLabel(e)
							if !ok || seen[pname] || !plainData(e.Value) {
								return domainResult{}, false
							}
							seen[pname] = true
							if !inline {
								jobs = append(jobs, productJob{pname, e.Value})
								continue
							}
							p, ok := productFromSyntax(ctx, pattern, plain, d, pname, e.Value)
							if !ok {
								return domainResult{}, false
							}
							products = append(products, p)
						default:
							return domainResult{}, false
						}
					}
				default:
					return domainResult{}, false
				}
			default: // imports, attributes such as @if, embeddings, lets
				return domainResult{}, false
			}
		}
	}
	if len(header) == 0 {
		return domainResult{}, false
	}
	if !inline {
		var ok bool
		if products, ok = s.productsFromSyntax(ctx, pattern, plain, d, jobs, cores); !ok {
			return domainResult{}, false
		}
	}
	hv := ctx.BuildExpr(header[0])
	for _, x := range header[1:] {
		hv = hv.Unify(ctx.BuildExpr(x))
	}
	r, ok := decodeHeader(df, hv, d, loc)
	if !ok {
		return domainResult{}, false
	}
	r.products = products
	return r, true
}

// productJob is one product of a domain's files to check: its name and
// its declaration.
type productJob struct {
	name string
	x    ast.Expr
}

// parallelFrom is the fewest products a domain has for them to be checked
// on more than one core.
var parallelFrom = 64

// productsFromSyntax checks and decodes the products of jobs, in their
// order. A big domain evaluated with cores to spare (a pull-request check
// evaluates its one domain alone) has its products checked on up to that
// many cores, each worker in a CUE context of its own (a context is not
// safe for concurrent use; the products are independent under the
// schema). Domains evaluated side by side keep a core each: splitting
// them further only costs memory.
func (s *Schema) productsFromSyntax(ctx *cue.Context, pattern cue.Value, plain bool, d *source.Domain, jobs []productJob, cores int) ([]*catalog.Product, bool) {
	workers := 1
	if cores > 1 && len(jobs) >= parallelFrom {
		workers = min(cores, runtime.GOMAXPROCS(0), len(jobs)/(parallelFrom/2))
	}
	out := make([]*catalog.Product, len(jobs))
	var failed atomic.Bool
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			c, pat := ctx, pattern
			if w > 0 {
				c = cuecontext.New()
				sch, ds := s.build(c)
				if len(ds) > 0 {
					failed.Store(true)
					return
				}
				pat = sch.LookupPath(domainFilePath).FillPath(domainNamePath, d.Name).LookupPath(productsPath)
			}
			for i := w; i < len(jobs) && !failed.Load(); i += workers {
				p, ok := productFromSyntax(c, pat, plain, d, jobs[i].name, jobs[i].x)
				if !ok {
					failed.Store(true)
					return
				}
				out[i] = p
			}
		})
	}
	wg.Wait()
	return out, !failed.Load()
}

// productFromSyntax checks one product declared once, as x, and decodes
// it: from its syntax when the schema adds no data (plain), else through
// CUE.
func productFromSyntax(ctx *cue.Context, pattern cue.Value, plain bool, d *source.Domain, name string, x ast.Expr) (*catalog.Product, bool) {
	path := cue.MakePath(cue.Str(name))
	one := pattern.FillPath(path, ctx.BuildExpr(x)).LookupPath(path)
	if one.Validate(cue.Concrete(true)) != nil {
		return nil, false
	}
	p := new(catalog.Product)
	if plain && decodeLiteral(x, p) {
		// What the schema adds (#DomainFile's products pattern).
		p.Name, p.Domain, p.ID = name, d.Name, d.Name+"."+name
		return p, true
	}
	*p = catalog.Product{}
	return p, decode(one, p) == nil
}

// evaluateSplit evaluates a domain whose package is built (v, not yet
// unified with the schema) product by product, when its top holds only
// domain and products (and hidden helpers) and every product is a plain
// regular field. It is the way for files with references; the package's
// own value is evaluated, but once, and never with the schema as a whole.
func (s *Schema) evaluateSplit(sch, v cue.Value, d *source.Domain, loc *locator) (domainResult, bool) {
	if !s.splittable() || v.Err() != nil {
		return domainResult{}, false
	}
	it, err := v.Fields(cue.Definitions(true), cue.Optional(true), cue.Patterns(true))
	if err != nil {
		return domainResult{}, false
	}
	hasDomain := false
	for it.Next() {
		sel := it.Selector()
		if sel.IsDefinition() || sel.ConstraintType() != 0 {
			return domainResult{}, false
		}
		switch sel.Unquoted() {
		case "domain":
			hasDomain = true
		case "products":
		default:
			return domainResult{}, false
		}
	}
	if !hasDomain {
		return domainResult{}, false
	}
	df := sch.LookupPath(domainFilePath).FillPath(domainNamePath, d.Name)
	r, ok := decodeHeader(df, v.LookupPath(domainPath), d, loc)
	if !ok {
		return domainResult{}, false
	}
	pv := v.LookupPath(productsPath)
	if !pv.Exists() {
		return r, true
	}
	pit, err := pv.Fields(cue.Optional(true), cue.Definitions(true), cue.Patterns(true))
	if err != nil {
		return domainResult{}, false
	}
	var names []string
	for pit.Next() {
		sel := pit.Selector()
		if sel.ConstraintType() == cue.PatternConstraint {
			continue // the domain's own pattern, already in each product
		}
		if sel.ConstraintType() != 0 || sel.Type() != cue.StringLabel {
			return domainResult{}, false
		}
		names = append(names, sel.Unquoted())
	}
	pattern := df.LookupPath(productsPath)
	for _, name := range names {
		p, ok := decodeProduct(pattern, name, pv.LookupPath(cue.MakePath(cue.Str(name))))
		if !ok {
			return domainResult{}, false
		}
		r.products = append(r.products, p)
	}
	return r, true
}

// decodeHeader checks and decodes the domain header: #DomainFile (df, with
// the domain's name) with the header and no products.
func decodeHeader(df, header cue.Value, d *source.Domain, loc *locator) (domainResult, bool) {
	top := header.Context().CompileString("{}").FillPath(domainPath, header)
	hv := df.Unify(top)
	if hv.Validate(cue.Concrete(true)) != nil {
		return domainResult{}, false
	}
	var hdr catalog.Domain
	if decode(hv.LookupPath(domainPath), &hdr) != nil {
		return domainResult{}, false
	}
	r := domainResult{domain: &catalog.Domain{Name: d.Name, Source: d.Source, Locate: loc.locate}}
	r.setDomain(&hdr)
	return r, true
}

// decodeProduct unifies one product's value with the products' pattern
// and decodes it, if it is valid.
func decodeProduct(pattern cue.Value, name string, pv cue.Value) (*catalog.Product, bool) {
	path := cue.MakePath(cue.Str(name))
	one := pattern.FillPath(path, pv).LookupPath(path)
	if one.Validate(cue.Concrete(true)) != nil {
		return nil, false
	}
	var p catalog.Product
	if decode(one, &p) != nil {
		return nil, false
	}
	return &p, true
}

// plainLabel returns the name of a regular field declared as plain data:
// an identifier or a string, no alias, not optional or required, not a
// definition or hidden field.
func plainLabel(f *ast.Field) (string, bool) {
	if f.Constraint != token.ILLEGAL {
		return "", false
	}
	switch l := f.Label.(type) {
	case *ast.Ident:
		if strings.HasPrefix(l.Name, "#") || strings.HasPrefix(l.Name, "_") {
			return "", false
		}
	case *ast.BasicLit:
		if l.Kind != token.STRING {
			return "", false
		}
	default:
		return "", false
	}
	name, _, err := ast.LabelName(f.Label)
	return name, err == nil
}

// plainData reports whether x is plain data, meaning the same wherever it
// is: literals, structs and lists of them, operators on them. Any
// identifier (a reference, or a type such as string) declines.
func plainData(x ast.Node) bool {
	switch x := x.(type) {
	case *ast.BasicLit, *ast.BottomLit:
		return true
	case *ast.Ident:
		return x.Name == "_"
	case *ast.StructLit:
		for _, elt := range x.Elts {
			switch e := elt.(type) {
			case *ast.Field:
				switch l := e.Label.(type) {
				case *ast.Ident:
					if strings.HasPrefix(l.Name, "#") || strings.HasPrefix(l.Name, "_") {
						return false
					}
				case *ast.BasicLit:
					if l.Kind != token.STRING {
						return false
					}
				default:
					return false
				}
				if !plainData(e.Value) {
					return false
				}
			case *ast.CommentGroup, *ast.Attribute:
			case *ast.Ellipsis:
				if e.Type != nil && !plainData(e.Type) {
					return false
				}
			default:
				return false
			}
		}
		return true
	case *ast.ListLit:
		for _, e := range x.Elts {
			if !plainData(e) {
				return false
			}
		}
		return true
	case *ast.Ellipsis:
		return x.Type == nil || plainData(x.Type)
	case *ast.UnaryExpr:
		return plainData(x.X)
	case *ast.BinaryExpr:
		return plainData(x.X) && plainData(x.Y)
	case *ast.ParenExpr:
		return plainData(x.X)
	case *ast.Interpolation:
		for _, e := range x.Elts {
			if !plainData(e) {
				return false
			}
		}
		return true
	}
	return false
}

// splittable reports whether products can be evaluated one by one: no
// policy file declares #DomainFile, the one definition that sees all of a
// domain's products at once.
func (s *Schema) splittable() bool {
	s.splitOnce.Do(func() {
		s.split = true
		for name, src := range s.src {
			if schema.IsSchemaFile(name) {
				continue
			}
			f, err := parser.ParseFile(name, src)
			if err != nil {
				s.split = false
				return
			}
			for _, decl := range f.Decls {
				if declaresDomainFile(decl) {
					s.split = false
					return
				}
			}
		}
	})
	return s.split
}

// declaresDomainFile reports whether a top-level declaration can add to
// #DomainFile: a field of that name, or anything that is not a plain field
// (an embedding or comprehension could).
func declaresDomainFile(decl ast.Decl) bool {
	switch x := decl.(type) {
	case *ast.Field:
		name, _, err := ast.LabelName(x.Label)
		return err != nil || name == "#DomainFile"
	case *ast.Package, *ast.ImportDecl, *ast.CommentGroup, *ast.Attribute:
		return false
	}
	return true
}

// addsNoData reports whether the schema adds nothing to a valid product
// but its name, domain and id: it is the embedded schema alone, which has
// no defaults and no concrete fields (TestSplitAgrees holds it to that).
// Policies could add data, and then CUE exports every product.
func (s *Schema) addsNoData() bool {
	for name := range s.src {
		if !schema.IsSchemaFile(name) {
			return false
		}
	}
	return true
}
