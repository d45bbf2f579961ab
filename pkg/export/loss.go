package export

import (
	"cmp"
	"fmt"
	"slices"
)

// Loss is one thing a mapping could not carry as it was: a field dropped, a
// name changed to fit the target's rules, or a value defaulted.
type Loss struct {
	// Product is the product (its id) or, for domain-level fields, the
	// domain's name.
	Product string `json:"product"`
	// Path is the field in the source model, e.g.
	// "outputPorts.events.schema.amount.renamedFrom".
	Path string `json:"path"`
	// Kind is dropped, renamed or defaulted.
	Kind string `json:"kind"`
	// Message says what happened and, where it helps, what to do.
	Message string `json:"message"`
	// To is the new name or value of a renamed or defaulted field, when
	// it has one.
	To string `json:"to,omitempty"`
}

// Loss kinds.
const (
	LossDropped   = "dropped"
	LossRenamed   = "renamed"
	LossDefaulted = "defaulted"
)

func (l Loss) String() string {
	return fmt.Sprintf("%s: %s: %s: %s", l.Product, l.Path, l.Kind, l.Message)
}

// Report is every loss of one mapping, sorted by product, path and message.
type Report []Loss

// Add records a loss.
func (r *Report) Add(product, path, kind, format string, args ...any) {
	*r = append(*r, Loss{Product: product, Path: path, Kind: kind, Message: fmt.Sprintf(format, args...)})
}

// AddTo records a loss whose field now has the name or value to.
func (r *Report) AddTo(product, path, kind, to, format string, args ...any) {
	*r = append(*r, Loss{Product: product, Path: path, Kind: kind, Message: fmt.Sprintf(format, args...), To: to})
}

// Sorted returns r sorted and without duplicates: deterministic whatever
// the order the mapping visited fields in.
func (r Report) Sorted() Report {
	out := slices.Clone(r)
	slices.SortFunc(out, func(a, b Loss) int {
		return cmp.Or(cmp.Compare(a.Product, b.Product), cmp.Compare(a.Path, b.Path),
			cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Message, b.Message), cmp.Compare(a.To, b.To))
	})
	return slices.Compact(out)
}

// Products returns the products (or domains) that have losses, sorted.
func (r Report) Products() []string {
	var out []string
	for _, l := range r {
		out = append(out, l.Product)
	}
	slices.Sort(out)
	return slices.Compact(out)
}
