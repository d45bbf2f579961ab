package config

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/cuecontext"

	schema "github.com/meshc-dev/meshc/cue"
	"github.com/meshc-dev/meshc/pkg/diag"
	"github.com/meshc-dev/meshc/pkg/internal/cueerr"
)

// DefaultFile is where meshc looks for the config without --config.
const DefaultFile = "mesh.cue"

// DefaultStatePath is the file backend's location, relative to mesh.cue.
const DefaultStatePath = ".meshc/catalog.json"

// DefaultMinSunsetDays is how far out a deprecation's sunset must be.
const DefaultMinSunsetDays = 30

// Config is a loaded mesh.cue.
type Config struct {
	File      string             // absolute path of mesh.cue
	Root      string             // its directory; relative paths start here
	Platform  Platform           `json:"platform"`
	Domains   map[string]*Domain `json:"domains"`
	State     State              `json:"state"`
	Lifecycle Lifecycle          `json:"lifecycle"`
	Usage     Usage              `json:"usage"`
	Waivers   []diag.Waiver      `json:"waivers"`
}

// Platform names the platform and its extra CUE constraints.
type Platform struct {
	Name     string `json:"name"`
	Policies string `json:"policies,omitempty"` // directory, relative to Root
	Budget   Budget `json:"budget"`
}

// Budget bounds one domain's evaluation.
type Budget struct {
	Time      string `json:"time,omitempty"` // a Go duration; see EvalTime
	MemoryMiB int    `json:"memoryMiB,omitempty"`
}

// Default evaluation budget of a domain.
const (
	DefaultEvalTime      = 60 * time.Second
	DefaultEvalMemoryMiB = 1024
)

// EvalTime is the wall time one domain's evaluation may take.
func (b Budget) EvalTime() time.Duration {
	if d, err := time.ParseDuration(b.Time); err == nil && d > 0 {
		return d
	}
	return DefaultEvalTime
}

// EvalMemory is the memory, in bytes, one domain's evaluation may use.
func (b Budget) EvalMemory() int64 {
	if b.MemoryMiB > 0 {
		return int64(b.MemoryMiB) << 20
	}
	return DefaultEvalMemoryMiB << 20
}

// Domain says where one domain's CUE lives.
type Domain struct {
	Name string `json:"-"`
	Path string `json:"path,omitempty"` // directory, relative to Root or to the repository
	Git  string `json:"git,omitempty"`
	Ref  string `json:"ref,omitempty"`
	// Team is the GitHub handle the platform assigns to the domain; empty
	// when mesh.cue assigns none.
	Team string `json:"team,omitempty"`
	// Repository is the domain's GitHub repository, OWNER/NAME: mesh.cue's
	// repository, else the owner and name of a github.com git URL.
	Repository string   `json:"repository,omitempty"`
	Pos        diag.Pos `json:"-"` // its entry in mesh.cue
}

// State says where the live catalog is kept: a backend and its location
// (which fields apply depends on the backend).
type State struct {
	Backend string   `json:"backend"`
	Path    string   `json:"path,omitempty"`   // file: relative to Root; git: in the repository
	URL     string   `json:"url,omitempty"`    // postgres
	Repo    string   `json:"repo,omitempty"`   // git
	Branch  string   `json:"branch,omitempty"` // git
	Pos     diag.Pos `json:"-"`                // its backend in mesh.cue; zero for the default
}

// Lifecycle holds the platform's lifecycle settings.
type Lifecycle struct {
	MinSunsetDays int `json:"minSunsetDays"`
}

// Usage holds the platform's settings of observed usage.
type Usage struct {
	RetentionDays int `json:"retentionDays"`
	StaleDays     int `json:"staleDays"`
}

// Defaults of Usage.
const (
	DefaultUsageRetentionDays = 400
	DefaultUsageStaleDays     = 30
)

// Error is an invalid mesh.cue: each problem with its position.
type Error struct {
	Diagnostics diag.Diagnostics
}

func (e *Error) Error() string {
	var b strings.Builder
	for i, d := range e.Diagnostics {
		if i > 0 {
			b.WriteString("\n")
		}
		if p := d.Pos().String(); p != "" {
			b.WriteString(p + ": ")
		}
		b.WriteString(d.Message)
	}
	return b.String()
}

// Load reads and checks the mesh.cue at path.
func Load(path string) (*Config, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	src, err := os.ReadFile(abs)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("no mesh config at %s: create one or name it with --config", path)
	}
	if err != nil {
		return nil, fmt.Errorf("reading mesh config: %w", err)
	}
	c := &Config{File: abs, Root: filepath.Dir(abs)}
	rel := func(name string) string { return c.Rel(name) }

	files, err := schema.Files()
	if err != nil {
		return nil, err
	}
	inst, err := schema.Instance(files)
	if err != nil {
		return nil, err
	}
	ctx := cuecontext.New()
	sch := ctx.BuildInstance(inst)
	if err := sch.Err(); err != nil {
		return nil, fmt.Errorf("embedded schema: %w", err)
	}
	v := ctx.CompileBytes(src, cue.Filename(abs))
	if err := v.Err(); err != nil {
		return nil, &Error{cueerr.Diagnostics(err, cueerr.Options{Rel: rel})}
	}
	data := v
	v = sch.LookupPath(cue.MakePath(cue.Def("Config"))).Unify(v)
	if err := v.Validate(cue.Concrete(true)); err != nil {
		ds := cueerr.Diagnostics(err, cueerr.Options{Rel: rel, Locate: cueerr.ValueLocator(data, rel)})
		for i := range ds {
			if !ds[i].Pos().IsValid() {
				ds[i] = ds[i].At(diag.Pos{File: c.Rel(abs)})
			}
			ds[i].Message = stateFieldHint(ds[i].Message, data)
		}
		ds.Sort()
		return nil, &Error{ds.Compact()}
	}
	js, err := v.MarshalJSON()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := json.Unmarshal(js, c); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var ds diag.Diagnostics
	for name, d := range c.Domains {
		d.Name = name
		dv := data.LookupPath(cue.MakePath(cue.Str("domains"), cue.Str(name)))
		d.Pos = diag.Pos{File: c.Rel(abs), Line: dv.Pos().Line(), Column: dv.Pos().Column()}
		if d.Repository == "" {
			d.Repository = githubRepository(d.Git)
		}
		if d.Ref != "" && d.Git == "" {
			ds = append(ds, diag.Errorf("schema", "domains.%s.ref: a ref needs a git repository (git: URL)", name).At(d.Pos))
		}
	}
	for i := range c.Waivers {
		wv := data.LookupPath(cue.MakePath(cue.Str("waivers"), cue.Index(i)))
		c.Waivers[i].Pos = diag.Pos{File: c.Rel(abs), Line: wv.Pos().Line(), Column: wv.Pos().Column()}
	}
	if len(ds) > 0 {
		ds.Sort()
		return nil, &Error{ds}
	}
	if bv := data.LookupPath(cue.ParsePath("state.backend")); bv.Exists() {
		c.State.Pos = diag.Pos{File: c.Rel(abs), Line: bv.Pos().Line(), Column: bv.Pos().Column()}
	}
	if c.State.Backend == "" {
		c.State.Backend = "file"
	}
	if c.State.Backend == "file" && c.State.Path == "" {
		c.State.Path = DefaultStatePath
	}
	if c.Lifecycle.MinSunsetDays == 0 && !v.LookupPath(cue.ParsePath("lifecycle.minSunsetDays")).Exists() {
		c.Lifecycle.MinSunsetDays = DefaultMinSunsetDays
	}
	if c.Usage.RetentionDays == 0 {
		c.Usage.RetentionDays = DefaultUsageRetentionDays
	}
	if c.Usage.StaleDays == 0 {
		c.Usage.StaleDays = DefaultUsageStaleDays
	}
	return c, nil
}

// githubRepository returns OWNER/NAME of a github.com git URL
// (https://github.com/o/n.git, git@github.com:o/n, ssh://git@github.com/o/n),
// else "".
func githubRepository(u string) string {
	rest := ""
	for _, prefix := range []string{"https://github.com/", "http://github.com/", "git@github.com:", "ssh://git@github.com/", "ssh://github.com/"} {
		if r, ok := strings.CutPrefix(u, prefix); ok {
			rest = r
			break
		}
	}
	if i := strings.Index(u, "@github.com/"); rest == "" && strings.HasPrefix(u, "https://") && i > 0 {
		rest = u[i+len("@github.com/"):]
	}
	rest = strings.TrimSuffix(strings.TrimSuffix(rest, "/"), ".git")
	parts := strings.Split(rest, "/")
	if len(parts) != 2 || parts[0] == "" || parts[1] == "" {
		return ""
	}
	return rest
}

// stateFields are the fields each state backend takes besides backend.
var stateFields = map[string]string{"file": "path", "git": "repo, branch and path", "postgres": "url"}

// stateFieldHint says which fields the chosen backend takes in place of
// the schema's guess at a misspelt field, which names fields of other
// parts of mesh.cue.
func stateFieldHint(msg string, data cue.Value) string {
	field, ok := strings.CutPrefix(msg, "state.")
	if !ok || !strings.Contains(field, ": field not allowed") {
		return msg
	}
	field, _, _ = strings.Cut(field, ":")
	backend := "file"
	if b, err := data.LookupPath(cue.ParsePath("state.backend")).String(); err == nil {
		backend = b
	}
	takes, ok := stateFields[backend]
	if !ok {
		return msg
	}
	return fmt.Sprintf("state.%s: field not allowed: the %s backend takes %s", field, backend, takes)
}

// Abs resolves p, relative to the mesh root, to an absolute path.
func (c *Config) Abs(p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(c.Root, p)
}

// Rel returns name relative to the mesh root when it lies inside it (the
// form every diagnostic uses), and name itself otherwise.
func (c *Config) Rel(name string) string {
	r, err := filepath.Rel(c.Root, name)
	if err != nil || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
		return name
	}
	return filepath.ToSlash(r)
}

// DomainNames returns the configured domains' names, sorted.
func (c *Config) DomainNames() []string {
	return slices.Sorted(maps.Keys(c.Domains))
}
