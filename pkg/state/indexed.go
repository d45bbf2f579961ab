package state

import (
	"bytes"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"maps"
	"runtime"
	"slices"
	"sync"

	"github.com/meshc-dev/meshc/pkg/catalog"
)

// IndexFormat names the format of the index EncodeIndexed writes.
const IndexFormat = "meshc-catalog-index/1"

// MaxIndex bounds the index document DecodePart reads.
const MaxIndex = 64 << 20

// indexDoc is the index a document backend keeps beside the catalog
// document: the Index, and where in the document each product's JSON is.
// It is bound to one document by its size and checksum, so an index left
// from an earlier write, or a document edited by hand, is never trusted:
// DecodePart then reports it unusable and the caller reads the document.
type indexDoc struct {
	Format  string `json:"format"`
	Size    int    `json:"size"`
	CRC32C  uint32 `json:"crc32c"`
	Serial  int64  `json:"serial"`
	Lineage string `json:"lineage"`
	// Domains and Meta are where those values are in the document:
	// offset and length (Meta is 0, 0 when the document has none).
	Domains  [2]int                     `json:"domains"`
	Meta     [2]int                     `json:"meta"`
	Products map[string]indexDocProduct `json:"products"`
}

type indexDocProduct struct {
	IndexEntry
	At [2]int `json:"at"` // offset and length of its JSON in the document
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// EncodeIndexed returns Encode(c), byte for byte, and its index: for a
// backend that keeps the catalog as one document (file, git), so that
// DecodePart can read part of it.
func EncodeIndexed(c *Catalog) (doc, index []byte, err error) {
	head := *c
	head.Products = map[string]*catalog.Product{}
	skeleton, err := Encode(&head)
	if err != nil {
		return nil, nil, err
	}
	ids := slices.Sorted(maps.Keys(c.Products))
	values, err := encodeProducts(c.Products, ids)
	if err != nil {
		return nil, nil, err
	}
	return assemble(skeleton, len(c.Meta) > 0, c.Serial, c.Lineage, ids,
		func(i int) []byte { return values[i] },
		func(i int) IndexEntry { return IndexEntryOf(c.Products[ids[i]]) })
}

// assemble puts the products, in id order (value and entry give each
// one's encoded JSON and index entry), into skeleton, the document of the
// catalog with no products, and returns the document and its index.
func assemble(skeleton []byte, hasMeta bool, serial int64, lineage string, ids []string, value func(int) []byte, entry func(int) IndexEntry) (doc, index []byte, err error) {
	// The products go where the "products" key is: a newline and two
	// spaces before a key happen only at the top level of the indented
	// document (strings hold no raw newlines), so the marker is found once.
	const marker = "\n  \"products\": {}"
	at := bytes.Index(skeleton, []byte(marker))
	if at < 0 || bytes.Count(skeleton, []byte(marker)) != 1 {
		return nil, nil, fmt.Errorf("encode catalog: no single products key in the document")
	}
	size := len(skeleton)
	for i, id := range ids {
		size += len(id) + len(value(i)) + 16
	}
	buf := bytes.NewBuffer(make([]byte, 0, size))
	buf.Write(skeleton[:at+len(marker)-1]) // up to the '{' of the products
	idx := indexDoc{Format: IndexFormat, Serial: serial, Lineage: lineage, Products: make(map[string]indexDocProduct, len(ids))}
	for i, id := range ids {
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.WriteString("\n    ")
		key, err := marshalNoHTML(id, "")
		if err != nil {
			return nil, nil, err
		}
		buf.Write(key)
		buf.WriteString(": ")
		v := value(i)
		idx.Products[id] = indexDocProduct{IndexEntry: entry(i), At: [2]int{buf.Len(), len(v)}}
		buf.Write(v)
	}
	if len(ids) > 0 {
		buf.WriteString("\n  ")
	}
	shift := buf.Len() - (at + len(marker) - 1)
	buf.Write(skeleton[at+len(marker)-1:])
	doc = buf.Bytes()

	// The domains come before the products, the meta after them.
	if idx.Domains, err = span(skeleton, "\n  \"domains\": ", 0); err != nil {
		return nil, nil, err
	}
	if hasMeta {
		if idx.Meta, err = span(skeleton, "\n  \"meta\": ", shift); err != nil {
			return nil, nil, err
		}
	}
	idx.Size, idx.CRC32C = len(doc), crc32.Checksum(doc, castagnoli)
	index, err = json.Marshal(idx)
	if err != nil {
		return nil, nil, fmt.Errorf("encode catalog index: %w", err)
	}
	return doc, append(index, '\n'), nil
}

// SpliceIndexed returns what EncodeIndexed(Merge(whole, next, d)) returns,
// whole being the catalog in doc, without decoding doc: the products d
// leaves alone are copied as they are, the history is appended to, and
// only the rest is encoded anew. index is doc's index, and the document
// must still be at prev's serial and lineage. ok is false, with no error,
// when index is not doc's (a hand edit since it was read): the caller
// then decodes doc whole and merges.
func SpliceIndexed(doc, index []byte, prev, next *Catalog, d Delta) (newDoc, newIndex []byte, ok bool, err error) {
	x, ok := checkIndex(doc, index)
	if !ok || x.Serial != prev.Serial || x.Lineage != prev.Lineage {
		return nil, nil, false, nil
	}
	const histKey, end = "\n  \"history\": ", "\n}\n"
	h := bytes.LastIndex(doc, []byte(histKey))
	if h < 0 || !bytes.HasSuffix(doc, []byte(end)) || h+len(histKey) > len(doc)-len(end) {
		return nil, nil, false, nil
	}
	history := doc[h+len(histKey) : len(doc)-len(end)]
	head := &Catalog{FormatVersion: next.FormatVersion, Lineage: next.Lineage, Serial: next.Serial}
	raw, ok := x.keyed(doc, x.Domains, domainsKey)
	if !ok || json.Unmarshal(raw, &head.Domains) != nil {
		return nil, nil, false, nil
	}
	if x.Meta != [2]int{} {
		if raw, ok = x.keyed(doc, x.Meta, metaKey); !ok || json.Unmarshal(raw, &head.Meta) != nil {
			return nil, nil, false, nil
		}
	}
	head.normalize()
	maps.Copy(head.Domains, d.Domains)
	for _, name := range d.DeleteDomains {
		delete(head.Domains, name)
	}
	maps.Copy(head.Meta, d.Meta)
	for _, id := range d.DeleteMeta {
		delete(head.Meta, id)
	}
	skeleton, err := Encode(head)
	if err != nil {
		return nil, nil, false, err
	}
	if !bytes.HasSuffix(skeleton, []byte(histKey+"[]"+end)) {
		return nil, nil, false, fmt.Errorf("encode catalog: the history is not the document's last key")
	}
	// The history: the stored entries as they are, then the new ones.
	if len(d.History) > 0 {
		var entries [][]byte
		for _, e := range d.History {
			v, err := marshalNoHTML(e, "    ")
			if err != nil {
				return nil, nil, false, fmt.Errorf("encode catalog: %w", err)
			}
			entries = append(entries, v)
		}
		var hb bytes.Buffer
		if bytes.Equal(history, []byte("[]")) {
			hb.WriteString("[")
		} else {
			const close = "\n  ]"
			if !bytes.HasSuffix(history, []byte(close)) {
				return nil, nil, false, nil
			}
			hb.Write(history[:len(history)-len(close)])
			hb.WriteString(",")
		}
		hb.WriteString("\n    ")
		hb.Write(bytes.Join(entries, []byte(",\n    ")))
		hb.WriteString("\n  ]")
		history = hb.Bytes()
	}
	skeleton = append(skeleton[:len(skeleton)-len("[]"+end)], history...)
	skeleton = append(skeleton, end...)

	gone := map[string]bool{}
	for _, id := range d.Delete {
		gone[id] = true
	}
	var ids []string
	for id := range x.Products {
		if !gone[id] && d.Put[id] == nil {
			ids = append(ids, id)
		}
	}
	put := slices.Sorted(maps.Keys(d.Put))
	ids = append(ids, put...)
	slices.Sort(ids)
	values, err := encodeProducts(d.Put, put)
	if err != nil {
		return nil, nil, false, err
	}
	fresh := make(map[string][]byte, len(put))
	for i, id := range put {
		fresh[id] = values[i]
	}
	for _, id := range ids {
		if fresh[id] == nil {
			if _, ok := x.keyed(doc, x.Products[id].At, productKey(id)); !ok {
				return nil, nil, false, nil
			}
		}
	}
	newDoc, newIndex, err = assemble(skeleton, len(head.Meta) > 0, next.Serial, next.Lineage, ids,
		func(i int) []byte {
			if v := fresh[ids[i]]; v != nil {
				return v
			}
			v, _ := x.slice(doc, x.Products[ids[i]].At)
			return v
		},
		func(i int) IndexEntry {
			if p := d.Put[ids[i]]; p != nil {
				return IndexEntryOf(p)
			}
			return x.Products[ids[i]].IndexEntry
		})
	return newDoc, newIndex, err == nil, err
}

// span returns where the value of the top-level key is in an indented
// document, moved by shift bytes.
func span(doc []byte, key string, shift int) ([2]int, error) {
	i := bytes.Index(doc, []byte(key))
	if i < 0 {
		return [2]int{}, fmt.Errorf("encode catalog: no %s in the document", key)
	}
	start := i + len(key)
	dec := json.NewDecoder(bytes.NewReader(doc[start:]))
	var raw json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		return [2]int{}, fmt.Errorf("encode catalog: %w", err)
	}
	return [2]int{start + shift, len(raw)}, nil
}

// encodeProducts encodes each product as it is indented inside the
// document, on every core: the catalog's cost to write is mostly this.
func encodeProducts(products map[string]*catalog.Product, ids []string) ([][]byte, error) {
	values := make([][]byte, len(ids))
	errs := make([]error, len(ids))
	var wg sync.WaitGroup
	workers := min(runtime.GOMAXPROCS(0), max(1, len(ids)/64))
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(ids); i += workers {
				values[i], errs[i] = marshalNoHTML(products[ids[i]], "    ")
			}
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("encode catalog: product %s: %w", ids[i], err)
		}
	}
	return values, nil
}

// marshalNoHTML encodes v as Encode does, indented under prefix, without
// the trailing newline.
func marshalNoHTML(v any, prefix string) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if prefix != "" {
		enc.SetIndent(prefix, "  ")
	}
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// checkIndex parses index and reports whether it is doc's index.
func checkIndex(doc, index []byte) (*indexDoc, bool) {
	if len(index) == 0 || len(index) > MaxIndex {
		return nil, false
	}
	var x indexDoc
	if json.Unmarshal(index, &x) != nil || x.Format != IndexFormat ||
		x.Size != len(doc) || x.CRC32C != crc32.Checksum(doc, castagnoli) || !x.tiles(doc) {
		return nil, false
	}
	return &x, true
}

// tiles reports whether the index's products, in id order, are exactly
// the document's products: each key and value where the index says, one
// after the other, from the products' opening brace to their closing one.
// So an index cannot leave a product out, nor point anywhere else.
func (x *indexDoc) tiles(doc []byte) bool {
	const open = "\n  \"products\": {"
	start := bytes.Index(doc, []byte(open))
	if start < 0 {
		return false
	}
	pos := start + len(open)
	for i, id := range slices.Sorted(maps.Keys(x.Products)) {
		if i > 0 {
			if pos >= len(doc) || doc[pos] != ',' {
				return false
			}
			pos++
		}
		key := productKey(id)
		if !bytes.HasPrefix(doc[pos:], []byte(key)) {
			return false
		}
		pos += len(key)
		at := x.Products[id].At
		if at[0] != pos || at[1] <= 0 || at[1] > len(doc)-pos {
			return false
		}
		pos += at[1]
	}
	end := "}"
	if len(x.Products) > 0 {
		end = "\n  }"
	}
	return bytes.HasPrefix(doc[pos:], []byte(end))
}

// slice returns the bytes of doc at an index's offset and length.
func (x *indexDoc) slice(doc []byte, at [2]int) ([]byte, bool) {
	if at[0] < 0 || at[1] <= 0 || at[0] > len(doc)-at[1] {
		return nil, false
	}
	return doc[at[0] : at[0]+at[1]], true
}

// keyed returns the value at in doc if what comes before it is key, as
// the document spells it: an index can point only at the value of the
// key it names.
func (x *indexDoc) keyed(doc []byte, at [2]int, key string) ([]byte, bool) {
	v, ok := x.slice(doc, at)
	if !ok || !bytes.HasSuffix(doc[:at[0]], []byte(key)) {
		return nil, false
	}
	return v, true
}

// productKey is how the document spells the key of product id.
func productKey(id string) string {
	k, err := marshalNoHTML(id, "")
	if err != nil {
		return "\x00" // matches nothing
	}
	return "\n    " + string(k) + ": "
}

const (
	domainsKey = "\n  \"domains\": "
	metaKey    = "\n  \"meta\": "
)

// DecodePart reads part of the catalog document doc through index, as
// PartReader.ReadPart does: choose is called with the index, and the
// catalog returned has every domain, the products choose named with their
// meta, and no history. ok is false when index is not the index of doc
// (missing, from another write, or doc edited since) or anything read
// through it does not hold: the caller then decodes doc whole, which
// reports what is wrong with it, if anything.
func DecodePart(doc, index []byte, choose Choose) (c *Catalog, idx *Index, ok bool) {
	x, ok := checkIndex(doc, index)
	if !ok {
		return nil, nil, false
	}
	var head struct {
		FormatVersion string `json:"format_version"`
		Lineage       string `json:"lineage"`
		Serial        int64  `json:"serial"`
	}
	// The header is the document's first fields, up to the domains.
	if x.Domains[0] <= 0 || x.Domains[0] > len(doc) {
		return nil, nil, false
	}
	end := bytes.LastIndexByte(doc[:x.Domains[0]], ',')
	if end < 0 || json.Unmarshal(append(slices.Clip(doc[:end]), '}'), &head) != nil ||
		head.Serial != x.Serial || head.Lineage != x.Lineage {
		return nil, nil, false
	}
	idx = &Index{Serial: x.Serial, Lineage: x.Lineage, Products: make(map[string]IndexEntry, len(x.Products))}
	for id, p := range x.Products {
		idx.Products[id] = p.IndexEntry
	}
	c = &Catalog{
		FormatVersion: head.FormatVersion, Lineage: head.Lineage, Serial: head.Serial,
		Products: map[string]*catalog.Product{}, Meta: map[string]ProductMeta{}, History: []Entry{},
	}
	raw, ok := x.keyed(doc, x.Domains, domainsKey)
	if !ok || json.Unmarshal(raw, &c.Domains) != nil {
		return nil, nil, false
	}
	var meta map[string]ProductMeta
	if x.Meta != [2]int{} {
		if raw, ok = x.keyed(doc, x.Meta, metaKey); !ok || json.Unmarshal(raw, &meta) != nil {
			return nil, nil, false
		}
	}
	for _, id := range choose(idx) {
		p, known := x.Products[id]
		if !known {
			continue
		}
		raw, ok := x.keyed(doc, p.At, productKey(id))
		var pr *catalog.Product
		if !ok || json.Unmarshal(raw, &pr) != nil || pr == nil || pr.ID != id || !IndexEntryOf(pr).Equal(p.IndexEntry) {
			return nil, nil, false
		}
		c.Products[id] = pr
		if m, ok := meta[id]; ok {
			c.Meta[id] = m
		}
	}
	return c, idx, true
}
