package plan

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/meshc-dev/meshc/pkg/diag"
)

// NotAPlanError is a file that is not a plan this meshc saved: not JSON,
// not a plan, or a plan of another format.
type NotAPlanError struct {
	Path   string
	Reason string
}

func (e *NotAPlanError) Error() string {
	return fmt.Sprintf("%s is not a meshc plan: %s; make it again with meshc plan -out", e.Path, e.Reason)
}

// ErrorsError is a plan that is not saved because it has errors: it could
// never be applied.
type ErrorsError struct {
	Path   string
	Errors int
}

func (e *ErrorsError) Error() string {
	return fmt.Sprintf("did not save the plan to %s: it has %d errors, and a plan with errors cannot be applied; fix them and plan again", e.Path, e.Errors)
}

// Save seals p for mesh (see Seal) and writes it, desired catalog
// included, to path for a later apply. A plan with errors is not saved
// (*ErrorsError). The file is replaced whole: written to a temporary file
// beside it, then renamed.
func Save(path string, p *Plan, mesh MeshID) error {
	if n := p.Diagnostics.Count(diag.Error); n > 0 {
		return &ErrorsError{Path: path, Errors: n}
	}
	sealed := *p
	sealed.Seal(mesh)
	b, err := json.MarshalIndent(&sealed, "", "  ")
	if err != nil {
		return fmt.Errorf("saving the plan: %w", err)
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("saving the plan: %w", err)
	}
	tmp, err := os.CreateTemp(dir, filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("saving the plan: %w", err)
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	_, werr := tmp.Write(append(b, '\n'))
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Chmod(tmp.Name(), 0o644)
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), path)
	}
	if werr != nil {
		return fmt.Errorf("saving the plan: %w", werr)
	}
	return nil
}

// Load reads a plan saved by Save. A file that is not such a plan is a
// *NotAPlanError; what the plan says is not trusted by this: the caller
// verifies it against the mesh and the live catalog.
func Load(path string) (*Plan, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("no plan file %s: save one with meshc plan -out %s", path, path)
	}
	if err != nil {
		return nil, fmt.Errorf("reading the plan: %w", err)
	}
	var probe struct {
		FormatVersion *string          `json:"format_version"`
		Changes       *json.RawMessage `json:"changes"`
		Desired       *json.RawMessage `json:"desired"`
		Mesh          *json.RawMessage `json:"mesh"`
		Checksum      *string          `json:"checksum"`
	}
	if err := json.Unmarshal(b, &probe); err != nil {
		return nil, &NotAPlanError{Path: path, Reason: "it is not a JSON object: " + err.Error()}
	}
	if probe.FormatVersion == nil || probe.Changes == nil || probe.Desired == nil {
		return nil, &NotAPlanError{Path: path, Reason: "it has no format_version, changes and desired catalog"}
	}
	if *probe.FormatVersion != FormatVersion {
		return nil, &NotAPlanError{Path: path, Reason: fmt.Sprintf("its format is %q, this meshc reads %q", *probe.FormatVersion, FormatVersion)}
	}
	if probe.Mesh == nil || probe.Checksum == nil {
		return nil, &NotAPlanError{Path: path, Reason: "it is not sealed (it records no mesh and checksum: saved by an older meshc?)"}
	}
	var p Plan
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, &NotAPlanError{Path: path, Reason: err.Error()}
	}
	if reason := shape(&p); reason != "" {
		return nil, &NotAPlanError{Path: path, Reason: reason}
	}
	return &p, nil
}

// shape says what of p's shape no plan that Save wrote has: null entries,
// unknown actions, serials out of range. Empty when p is well formed.
func shape(p *Plan) string {
	switch {
	case p.LiveSerial < 0:
		return fmt.Sprintf("live_serial %d is negative", p.LiveSerial)
	case p.LiveSerial == math.MaxInt64:
		return fmt.Sprintf("live_serial %d has no successor", p.LiveSerial)
	}
	for i, c := range p.Changes {
		if c == nil {
			return fmt.Sprintf("changes[%d] is null", i)
		}
		switch c.Action {
		case Create, Update, Delete, NoOp:
		default:
			return fmt.Sprintf("changes[%d].action is %q, want create, update, delete or no-op", i, c.Action)
		}
	}
	if p.Desired != nil {
		for _, k := range slices.Sorted(maps.Keys(p.Desired.Domains)) {
			if p.Desired.Domains[k] == nil {
				return fmt.Sprintf("desired.domains.%s is null", strconv.Quote(k))
			}
		}
		for _, k := range slices.Sorted(maps.Keys(p.Desired.Products)) {
			if p.Desired.Products[k] == nil {
				return fmt.Sprintf("desired.products.%s is null", strconv.Quote(k))
			}
		}
	}
	return ""
}
