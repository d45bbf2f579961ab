package scaffold

import (
	"bytes"
	"embed"
	"fmt"
	"regexp"
	"strings"
	"text/template"
	"unicode"
	"unicode/utf8"
)

// Options describe the new domain repository.
type Options struct {
	// Domain is the domain's name in the platform's mesh.cue, e.g. "orders".
	Domain string
	// Team is the owning team's name, e.g. "Orders team".
	Team string
	// GitHub is the team's GitHub handle, e.g. "@acme/orders".
	GitHub string
	// Email is the team's shared mailbox; optional.
	Email string
	// PlatformRepo is the platform repository, "owner/name", whose mesh.cue
	// lists the domain.
	PlatformRepo string
	// MeshcVersion is the meshc release the workflows install and whose
	// action they use, e.g. "v0.3.0"; empty means DefaultMeshcVersion.
	MeshcVersion string
}

// DefaultMeshcVersion is the release scaffolded workflows pin when meshc
// itself is no release build: the one this source tree becomes.
const DefaultMeshcVersion = "v0.4.0"

// PlatformOptions describe a new platform repository.
type PlatformOptions struct {
	// Name is the mesh's name, e.g. "acme": it titles reports and tells
	// several meshes' pull-request comments apart.
	Name string
	// Repo is the platform repository, "owner/name": its meshc-catalog
	// branch keeps the live catalog.
	Repo string
	// MeshcVersion is as in Options.
	MeshcVersion string
}

// Paths of the files Platform returns.
const (
	MeshFile          = "mesh.cue"
	PoliciesFile      = "policies/policies.cue"
	ApplyWorkflow     = ".github/workflows/meshc-apply.yml"
	ReconcileWorkflow = ".github/workflows/meshc-reconcile.yml"
)

// Paths of the files Domain returns.
const (
	DomainFile    = "mesh/domain.cue"
	ProductsFile  = "mesh/products.cue"
	PRWorkflow    = ".github/workflows/meshc-pr.yml"
	MergeWorkflow = ".github/workflows/meshc-merge.yml"
	ReadmeFile    = "README.md"
)

// Dir is the directory of the domain's CUE in the repository.
const Dir = "mesh"

//go:embed templates/*.tmpl
var templates embed.FS

// platformTemplateOf maps each file Platform returns to its template.
var platformTemplateOf = map[string]string{
	MeshFile:          "platform-mesh.cue.tmpl",
	PoliciesFile:      "platform-policies.cue.tmpl",
	ApplyWorkflow:     "platform-apply.yml.tmpl",
	ReconcileWorkflow: "platform-reconcile.yml.tmpl",
	ReadmeFile:        "platform-README.md.tmpl",
}

// templateOf maps each file Domain returns to its template.
var templateOf = map[string]string{
	DomainFile:    "domain.cue.tmpl",
	ProductsFile:  "products.cue.tmpl",
	PRWorkflow:    "meshc-pr.yml.tmpl",
	MergeWorkflow: "meshc-merge.yml.tmpl",
	ReadmeFile:    "README.md.tmpl",
}

// The templates use [[ ]]: workflows are full of GitHub's ${{ }}.
var tmpl = template.Must(template.New("").Delims("[[", "]]").Funcs(template.FuncMap{
	"cue": cueString,
}).ParseFS(templates, "templates/*.tmpl"))

var (
	domainName   = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)
	githubHandle = regexp.MustCompile(`^@[A-Za-z0-9][A-Za-z0-9-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?$`)
	email        = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
	repository   = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]{0,38}/[A-Za-z0-9._-]{1,100}$`)
	version      = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._/+-]{0,99}$`)
)

// cueKeywords cannot name a CUE package.
var cueKeywords = map[string]bool{
	"package": true, "import": true, "for": true, "in": true, "if": true, "let": true,
	"true": true, "false": true, "null": true,
}

// check validates o and fills in its defaults.
func (o *Options) check() error {
	var errs []string
	if !domainName.MatchString(o.Domain) || cueKeywords[o.Domain] {
		errs = append(errs, fmt.Sprintf("domain %q must be a lower-case name: a letter, then letters, digits or _ (at most 63), and not a CUE keyword", o.Domain))
	}
	if n := utf8.RuneCountInString(strings.TrimSpace(o.Team)); n < 2 || n > 120 || strings.ContainsFunc(o.Team, unicode.IsControl) {
		errs = append(errs, fmt.Sprintf("team %q must be a name of 2 to 120 characters on one line", o.Team))
	}
	if !githubHandle.MatchString(o.GitHub) {
		errs = append(errs, fmt.Sprintf("GitHub handle %q must be \"@user\" or \"@org/team\"", o.GitHub))
	}
	if o.Email != "" && !email.MatchString(o.Email) {
		errs = append(errs, fmt.Sprintf("e-mail %q is not an e-mail address", o.Email))
	}
	if !repository.MatchString(o.PlatformRepo) {
		errs = append(errs, fmt.Sprintf("platform repository %q must be owner/name", o.PlatformRepo))
	}
	if err := checkVersion(&o.MeshcVersion); err != nil {
		errs = append(errs, err.Error())
	}
	if len(errs) > 0 {
		return fmt.Errorf("meshc init: %s", strings.Join(errs, "; "))
	}
	o.Team = strings.TrimSpace(o.Team)
	return nil
}

// checkVersion fills in the default release and checks v.
func checkVersion(v *string) error {
	if *v == "" {
		*v = DefaultMeshcVersion
	}
	if !version.MatchString(*v) || strings.Contains(*v, "..") {
		return fmt.Errorf("meshc version %q must be a tag, branch or commit such as v0.3.0", *v)
	}
	return nil
}

// data is what the templates see.
type data struct {
	Options
	Title string // the domain's title, from its name: "customer_data" -> "Customer data"
	Dir   string
}

// Domain returns the files of a new domain repository, by path.
func Domain(o Options) (map[string][]byte, error) {
	if err := o.check(); err != nil {
		return nil, err
	}
	return render(templateOf, data{Options: o, Title: title(o.Domain), Dir: Dir})
}

// platformData is what the platform templates see.
type platformData struct {
	PlatformOptions
	Owner   string // the repository's owner: the GitHub organisation
	RepoURL string // its https URL, for the git backend
}

// Platform returns the files of a new platform repository, by path: its
// mesh.cue (no domains yet, the live catalog on a branch of its own), a
// policy, and the apply and reconcile workflows.
func Platform(o PlatformOptions) (map[string][]byte, error) {
	var errs []string
	if !domainName.MatchString(o.Name) {
		errs = append(errs, fmt.Sprintf("mesh name %q must be a lower-case name: a letter, then letters, digits or _ (at most 63)", o.Name))
	}
	if !repository.MatchString(o.Repo) {
		errs = append(errs, fmt.Sprintf("platform repository %q must be owner/name", o.Repo))
	}
	if err := checkVersion(&o.MeshcVersion); err != nil {
		errs = append(errs, err.Error())
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("meshc init --platform: %s", strings.Join(errs, "; "))
	}
	owner, _, _ := strings.Cut(o.Repo, "/")
	return render(platformTemplateOf, platformData{PlatformOptions: o, Owner: owner, RepoURL: "https://github.com/" + o.Repo + ".git"})
}

// render executes each file's template with d.
func render(templates map[string]string, d any) (map[string][]byte, error) {
	out := map[string][]byte{}
	for path, name := range templates {
		var b bytes.Buffer
		if err := tmpl.ExecuteTemplate(&b, name, d); err != nil {
			return nil, fmt.Errorf("meshc init: %s: %v", path, err)
		}
		out[path] = b.Bytes()
	}
	return out, nil
}

// title turns a domain name into a title: "customer_data" -> "Customer data".
// A title has at least two characters: "x" -> "X domain".
func title(name string) string {
	s := strings.TrimSpace(strings.ReplaceAll(name, "_", " "))
	r, n := utf8.DecodeRuneInString(s)
	s = string(unicode.ToUpper(r)) + s[n:]
	if utf8.RuneCountInString(s) < 2 {
		s += " domain"
	}
	return s
}

// cueString quotes s as a CUE string: like JSON, but a backslash also
// starts an interpolation, so it is escaped as well.
func cueString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"', '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\n':
			b.WriteString(`\n`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if unicode.IsControl(r) {
				fmt.Fprintf(&b, `\u%04x`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}
