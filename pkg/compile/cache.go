package compile

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/meshc-dev/meshc/pkg/catalog"
	"github.com/meshc-dev/meshc/pkg/diag"
	"github.com/meshc-dev/meshc/pkg/source"
)

// cacheFormat changes whenever what a cache entry holds changes.
const cacheFormat = "meshc-compile-3"

// Bounds of what a cache key reads: a domain larger than this is not
// cached (it is evaluated every time).
const (
	maxKeyFiles = 10000
	maxKeyBytes = 64 << 20
)

// Cache keeps each domain's compiled result on disk, keyed by a hash of
// everything that decides it: this meshc binary, the schema and policies,
// the domain's name, how its files are named, and the bytes of every file
// evaluation can read (the package's, its subpackages', cue.mod's, embedded
// files). A hit costs reading the domain's files and one JSON decode
// instead of a CUE evaluation; anything that differs is a miss. An entry
// carries a checksum and is checked on load against its key's domain (its
// name, each product's domain and id): one that fails is removed and the
// domain evaluated again, and Notify is told once. It is best effort: a
// cache that cannot be read or written is no cache, never an error.
type Cache struct {
	Dir string
	// Notify, when set, is told once when an entry was discarded.
	Notify func(string)

	hits, misses atomic.Int64
	once         sync.Once
}

// Stats returns how many domains came from the cache and how many were
// evaluated since c was made.
func (c *Cache) Stats() (hits, misses int64) { return c.hits.Load(), c.misses.Load() }

// cacheEntry is a domain's result as stored.
type cacheEntry struct {
	Domain   *catalog.Domain    `json:"domain,omitempty"`
	Products []*catalog.Product `json:"products,omitempty"`
	Invalid  []string           `json:"invalid,omitempty"`
	Failed   bool               `json:"failed,omitempty"`
	Diags    diag.Diagnostics   `json:"diagnostics,omitempty"`
}

// key returns the cache key of domain d under schema s, or false when the
// domain's files cannot be read (the evaluation will say why).
func (c *Cache) key(s *Schema, d *source.Domain) (string, bool) {
	build, ok := binaryID()
	if !ok {
		return "", false
	}
	h := sha256.New()
	field := func(name string, b []byte) { fmt.Fprintf(h, "%s\x00%d\x00", name, len(b)); h.Write(b) }
	field("format", []byte(cacheFormat))
	field("binary", []byte(build))
	field("cue-env", []byte(os.Getenv("CUE_EXPERIMENT")+"\x00"+os.Getenv("CUE_DEBUG")))
	for _, name := range slices.Sorted(maps.Keys(s.src)) {
		field("schema:"+name, s.src[name])
	}
	field("domain", []byte(d.Name))
	field("dir", []byte(d.Dir))
	files, total := 0, 0
	err := fs.WalkDir(d.FS, ".", func(name string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if e.IsDir() {
			return nil
		}
		files++
		b, err := fs.ReadFile(d.FS, name)
		if err != nil {
			return err
		}
		total += len(b)
		if files > maxKeyFiles || total > maxKeyBytes {
			return errTooLarge
		}
		field("file:"+name, b)
		return nil
	})
	if err != nil {
		return "", false
	}
	return hex.EncodeToString(h.Sum(nil)), true
}

var errTooLarge = errors.New("too large to cache")

// A cache file is the SHA-256 of the entry's JSON in hex, a newline and
// the JSON: the entry is checked before it is decoded, and decoded once.
const sumLen = 2 * sha256.Size

// check reports what in e does not belong to domain d, or "".
func (e *cacheEntry) check(d *source.Domain) string {
	if e.Domain != nil && e.Domain.Name != d.Name {
		return fmt.Sprintf("it is domain %q's", e.Domain.Name)
	}
	for _, p := range e.Products {
		if p == nil || p.Domain != d.Name || p.ID != d.Name+"."+p.Name {
			return "it holds a product of another domain"
		}
	}
	for _, id := range e.Invalid {
		if !strings.HasPrefix(id, d.Name+".") {
			return "it holds a product of another domain"
		}
	}
	for _, dg := range e.Diags {
		if dg.Domain != "" && dg.Domain != d.Name || dg.Message == "" {
			return "it holds a diagnostic of another domain, or an empty one"
		}
	}
	return ""
}

// discard removes the entry at path, telling Notify once.
func (c *Cache) discard(path, why string) {
	os.Remove(path)
	c.once.Do(func() {
		if c.Notify != nil {
			c.Notify(fmt.Sprintf("compile cache entry %s was unusable (%s): removed, and its domain evaluated again", path, why))
		}
	})
}

func (c *Cache) path(key string) string {
	return filepath.Join(c.Dir, key[:2], key+".json")
}

// load returns the stored result of key, made whole for domain d.
func (c *Cache) load(key string, d *source.Domain) (domainResult, bool) {
	path := c.path(key)
	b, err := os.ReadFile(path)
	if err != nil {
		return domainResult{}, false
	}
	if len(b) < sumLen+1 || b[sumLen] != '\n' {
		c.discard(path, "not an entry")
		return domainResult{}, false
	}
	entry := b[sumLen+1:]
	sum := sha256.Sum256(entry)
	if hex.EncodeToString(sum[:]) != string(b[:sumLen]) {
		c.discard(path, "its checksum does not match")
		return domainResult{}, false
	}
	var e cacheEntry
	if json.Unmarshal(entry, &e) != nil {
		c.discard(path, "not an entry")
		return domainResult{}, false
	}
	if why := e.check(d); why != "" {
		c.discard(path, why)
		return domainResult{}, false
	}
	// What is not stored: the source (it may be another commit with the
	// same files) and the locator over this run's files.
	return fromEntry(e, d), true
}

// store saves r under key, atomically; failures are ignored.
func (c *Cache) store(key string, r domainResult) {
	entry, err := json.Marshal(toEntry(r))
	if err != nil {
		return
	}
	sum := sha256.Sum256(entry)
	b := append([]byte(hex.EncodeToString(sum[:])+"\n"), entry...)
	p := c.path(key)
	if os.MkdirAll(filepath.Dir(p), 0o755) != nil {
		return
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), ".entry-*")
	if err != nil {
		return
	}
	_, werr := tmp.Write(b)
	if cerr := tmp.Close(); werr != nil || cerr != nil || os.Rename(tmp.Name(), p) != nil {
		os.Remove(tmp.Name())
	}
}

var (
	binaryOnce sync.Once
	binaryHash string
)

// binaryID identifies the running meshc: a hash of its executable, so
// that a rebuilt meshc (another schema, other decoding) never reads what an
// older one stored.
func binaryID() (string, bool) {
	binaryOnce.Do(func() {
		exe, err := os.Executable()
		if err != nil {
			return
		}
		f, err := os.Open(exe)
		if err != nil {
			return
		}
		defer f.Close()
		h := sha256.New()
		if _, err := io.Copy(h, f); err == nil {
			binaryHash = hex.EncodeToString(h.Sum(nil))
		}
	})
	return binaryHash, binaryHash != ""
}
