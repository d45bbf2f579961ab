package odcs

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/meshc-dev/meshc/pkg/export"
)

// Bounds on one contract.
const (
	MaxFileSize   = 4 << 20 // bytes
	MaxDepth      = 16      // nesting of properties and items
	MaxProperties = 10000   // properties of one contract, nested ones included
)

// reader walks one contract's YAML, remembering which keys the mapping
// used, so that every key it did not is reported: nothing is dropped
// silently.
type reader struct {
	file    string
	product string // the product's id, for the loss report
	losses  *export.Report
	count   int // properties read
	err     error
}

// object is a mapping node being read.
type object struct {
	r    *reader
	node *yaml.Node
	path string
	used map[string]bool
}

func (r *reader) errorf(n *yaml.Node, format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf("%s:%d: %s", r.file, n.Line, fmt.Sprintf(format, args...))
	}
}

func (r *reader) loss(n *yaml.Node, path, kind, format string, args ...any) {
	r.losses.Add(r.product, path, kind, "%s (%s)", fmt.Sprintf(format, args...), r.at(n))
}

// at is where n is: file:line, or the file for what the contract lacks.
func (r *reader) at(n *yaml.Node) string {
	if n == nil {
		return r.file
	}
	return fmt.Sprintf("%s:%d", r.file, n.Line)
}

// renamed records that the field at path is now to.
func (r *reader) renamed(n *yaml.Node, path, to, format string, args ...any) {
	r.losses.AddTo(r.product, path, export.LossRenamed, to, "%s (%s)", fmt.Sprintf(format, args...), r.at(n))
}

// obj returns n as an object at path, or nil (with an error) when it is
// not a mapping.
func (r *reader) obj(n *yaml.Node, path string) *object {
	if n == nil {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		r.errorf(n, "%s must be an object", orTop(path))
		return nil
	}
	return &object{r: r, node: n, path: path, used: map[string]bool{}}
}

func orTop(path string) string {
	if path == "" {
		return "the contract"
	}
	return path
}

// get returns the value of key and marks it used.
func (o *object) get(key string) *yaml.Node {
	if o == nil {
		return nil
	}
	for i := 0; i+1 < len(o.node.Content); i += 2 {
		if o.node.Content[i].Value == key {
			o.used[key] = true
			if v := o.node.Content[i+1]; !isNull(v) {
				return v
			}
			return nil
		}
	}
	return nil
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Tag == "!!null" }

// sub is the path of key below o.
func (o *object) sub(key string) string {
	if o.path == "" {
		return key
	}
	return o.path + "." + key
}

// str returns key's value as a string ("" when absent).
func (o *object) str(key string) string {
	n := o.get(key)
	if n == nil {
		return ""
	}
	if n.Kind != yaml.ScalarNode {
		o.r.errorf(n, "%s must be a string", o.sub(key))
		return ""
	}
	return n.Value
}

// boolean returns key's value as a bool.
func (o *object) boolean(key string) bool {
	n := o.get(key)
	if n == nil {
		return false
	}
	b, err := strconv.ParseBool(n.Value)
	if n.Kind != yaml.ScalarNode || err != nil {
		o.r.errorf(n, "%s must be true or false", o.sub(key))
	}
	return b
}

// list returns key's value as a sequence's items.
func (o *object) list(key string) []*yaml.Node {
	n := o.get(key)
	if n == nil {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		o.r.errorf(n, "%s must be a list", o.sub(key))
		return nil
	}
	return n.Content
}

// done reports every key of o that the mapping did not use, unless its
// value is the standard's default and so says nothing.
func (o *object) done() {
	if o == nil {
		return
	}
	for i := 0; i+1 < len(o.node.Content); i += 2 {
		k, v := o.node.Content[i], o.node.Content[i+1]
		if o.used[k.Value] || isDefault(k.Value, v) {
			continue
		}
		o.r.loss(k, o.sub(k.Value), export.LossDropped, "meshc's model has no place for %s", k.Value)
	}
}

// defaults are the values of keys that carry no information.
var defaults = map[string][]string{
	"primaryKey": {"false"}, "primaryKeyPosition": {"-1"}, "partitioned": {"false"},
	"partitionKeyPosition": {"-1"}, "criticalDataElement": {"false"}, "required": {"false"},
	"unique": {"false"}, "logicalTypeOptions": nil,
}

func isDefault(key string, v *yaml.Node) bool {
	if isNull(v) || (v.Kind == yaml.SequenceNode || v.Kind == yaml.MappingNode) && len(v.Content) == 0 {
		return true
	}
	vals, ok := defaults[key]
	return ok && v.Kind == yaml.ScalarNode && slices.Contains(vals, strings.ToLower(v.Value))
}

// key is how a list item is named in paths: by its name-like field, so
// paths survive a reordering, else by its index.
func key(item *yaml.Node, field string, i int) string {
	if item.Kind == yaml.MappingNode {
		for j := 0; j+1 < len(item.Content); j += 2 {
			if item.Content[j].Value == field && item.Content[j+1].Kind == yaml.ScalarNode && item.Content[j+1].Value != "" {
				return "[" + item.Content[j+1].Value + "]"
			}
		}
	}
	return "[" + strconv.Itoa(i) + "]"
}

// checkTree refuses aliases (they can multiply a small file into a huge
// tree) and nesting beyond MaxDepth*4 levels of YAML.
func checkTree(r *reader, n *yaml.Node, depth int) {
	if r.err != nil {
		return
	}
	if n.Kind == yaml.AliasNode || n.Anchor != "" {
		r.errorf(n, "YAML anchors and aliases are not accepted in contracts")
		return
	}
	if depth > MaxDepth*4 {
		r.errorf(n, "the contract nests deeper than meshc reads (%d levels)", MaxDepth*4)
		return
	}
	for _, c := range n.Content {
		checkTree(r, c, depth+1)
	}
}
