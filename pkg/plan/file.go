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

// Save writes p, desired catalog included, to path for a later apply. The
// file is replaced whole: written to a temporary file beside it, then
// renamed.
func Save(path string, p *Plan) error {
	b, err := json.MarshalIndent(p, "", "  ")
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
	}
	if err := json.Unmarshal(b, &probe); err != nil {
		return nil, &NotAPlanError{Path: path, Reason: "it is not a JSON object: " + err.Error()}
	}
	if probe.FormatVersion == nil || probe.Changes == nil {
		return nil, &NotAPlanError{Path: path, Reason: "it has no format_version and changes"}
	}
	if *probe.FormatVersion != FormatVersion {
		return nil, &NotAPlanError{Path: path, Reason: fmt.Sprintf("its format is %q, this meshc reads %q", *probe.FormatVersion, FormatVersion)}
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
