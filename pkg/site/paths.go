package site

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
)

// slug turns a tenant string into a file name that is safe on every file
// system and in a URL: letters, digits, '.', '_' and '-' stay, every other
// byte becomes ~XX; a leading '.' is escaped too, and a long name is cut
// and suffixed with a hash of the whole.
func slug(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.' && i > 0
		if ok {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "~%02X", c)
		}
	}
	out := b.String()
	if out == "" {
		out = "~"
	}
	if len(out) > 120 {
		sum := sha256.Sum256([]byte(s))
		out = out[:100] + "~" + hex.EncodeToString(sum[:8])
	}
	return out
}

// namer gives each key of one kind its own page path: two keys whose slugs
// are equal (on a case-insensitive file system) get distinct paths.
type namer struct {
	dir   string
	clean func(string) string // makes a key readable before its slug; may be nil
	paths map[string]string   // key -> path
	used  map[string]bool     // lower-cased paths taken
}

func newNamer(dir string) *namer {
	return &namer{dir: dir, paths: map[string]string{}, used: map[string]bool{}}
}

// path returns key's page, e.g. "products/orders.orders.html". Callers
// ask in a fixed (sorted) order, so the paths are deterministic.
func (n *namer) path(key string) string {
	if p, ok := n.paths[key]; ok {
		return p
	}
	base := key
	if n.clean != nil {
		base = n.clean(base)
	}
	base = slug(base)
	p := n.dir + "/" + base + ".html"
	for i := 2; n.used[strings.ToLower(p)]; i++ {
		p = fmt.Sprintf("%s/%s~%d.html", n.dir, base, i)
	}
	n.used[strings.ToLower(p)] = true
	n.paths[key] = p
	return p
}

// lookup returns key's page if it has one already; it never adds one, so
// concurrent page builders may call it.
func (n *namer) lookup(key string) (string, bool) {
	p, ok := n.paths[key]
	return p, ok
}

// rel returns the link from page from to page to, both site paths.
func rel(from, to string) string {
	depth := strings.Count(from, "/")
	return strings.Repeat("../", depth) + to
}
