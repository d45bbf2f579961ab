package state_test

import (
	"bytes"
	"fmt"
	"maps"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"github.com/meshc-dev/meshc/pkg/catalog"
	"github.com/meshc-dev/meshc/pkg/state"
	"github.com/meshc-dev/meshc/pkg/state/statetest"
)

func TestEncodeIndexedIsEncode(t *testing.T) {
	for _, c := range []*state.Catalog{state.New(), statetest.Sample(), statetest.Linked(300), func() *state.Catalog {
		c := statetest.Linked(12)
		c.Meta = nil // no meta: the key is left out
		c.Serial, c.Lineage = 3, "abc"
		c.History = append(c.History, statetest.Entry("alice", 3))
		return c
	}()} {
		want, err := state.Encode(c)
		if err != nil {
			t.Fatal(err)
		}
		doc, index, err := state.EncodeIndexed(c)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(doc, want) {
			t.Fatalf("EncodeIndexed's document differs from Encode's:\n%s\n---\n%s", doc, want)
		}
		whole, err := state.Decode(doc)
		if err != nil {
			t.Fatal(err)
		}
		all := func(idx *state.Index) []string { return slices.Collect(maps.Keys(idx.Products)) }
		part, idx, ok := state.DecodePart(doc, index, all)
		if !ok {
			t.Fatalf("DecodePart refused the index EncodeIndexed wrote")
		}
		if !reflect.DeepEqual(idx, state.IndexOf(whole)) {
			t.Errorf("the index differs from IndexOf the document")
		}
		if !reflect.DeepEqual(part.Products, whole.Products) || !reflect.DeepEqual(part.Domains, whole.Domains) || !reflect.DeepEqual(part.Meta, whole.Meta) {
			t.Errorf("DecodePart of every product differs from Decode")
		}
	}
}

// TestDecodePartRefuses checks that an index is used only with the very
// document it was written for.
func TestDecodePartRefuses(t *testing.T) {
	c := statetest.Linked(20)
	c.Serial, c.Lineage = 2, "abc"
	doc, index, err := state.EncodeIndexed(c)
	if err != nil {
		t.Fatal(err)
	}
	other, otherIndex, err := state.EncodeIndexed(statetest.Linked(21))
	if err != nil {
		t.Fatal(err)
	}
	edited := bytes.Replace(doc, []byte(`"d01.p005"`), []byte(`"d01.p00X"`), 1)
	some := func(*state.Index) []string { return []string{"d01.p005", "sales.orders"} }
	for name, tc := range map[string]struct{ doc, index []byte }{
		"no index":          {doc, nil},
		"not JSON":          {doc, []byte("{")},
		"another document":  {doc, otherIndex},
		"edited document":   {edited, index},
		"truncated":         {doc[:len(doc)-2], index},
		"index of a longer": {other, index},
	} {
		if _, _, ok := state.DecodePart(tc.doc, tc.index, some); ok {
			t.Errorf("%s: DecodePart used the index", name)
		}
	}
	if _, _, ok := state.DecodePart(doc, index, some); !ok {
		t.Errorf("DecodePart refused its own index")
	}
}

// TestSpliceIndexedIsEncodeIndexed checks that splicing a change into a
// document gives, byte for byte, the document and index of the merged
// catalog encoded anew.
func TestSpliceIndexedIsEncodeIndexed(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for round := range 40 {
		whole := statetest.Linked(r.IntN(30))
		whole.Serial, whole.Lineage = 3, "abc"
		for i := range r.IntN(3) {
			whole.History = append(whole.History, statetest.Entry("alice", int64(i+1)))
		}
		if r.IntN(4) == 0 {
			whole.Meta = map[string]state.ProductMeta{}
		}
		doc, index, err := state.EncodeIndexed(whole)
		if err != nil {
			t.Fatal(err)
		}
		ids := slices.Sorted(maps.Keys(whole.Products))
		d := state.Delta{Put: map[string]*catalog.Product{}, Meta: map[string]state.ProductMeta{}, Domains: map[string]*catalog.Domain{}}
		for _, id := range ids {
			switch r.IntN(6) {
			case 0:
				p := *whole.Products[id]
				p.Title = fmt.Sprintf("changed in round %d", round)
				d.Put[id] = &p
				d.Meta[id] = state.ProductMeta{CreatedSerial: 1, UpdatedSerial: 4}
			case 1:
				d.Delete = append(d.Delete, id)
				d.DeleteMeta = append(d.DeleteMeta, id)
			}
		}
		for i := range r.IntN(3) {
			p := *whole.Products["sales.orders"]
			p.ID, p.Name = fmt.Sprintf("zz.new%d", i), fmt.Sprintf("new%d", i)
			d.Put[p.ID] = &p
		}
		if r.IntN(2) == 0 {
			d.Domains["zz"] = &catalog.Domain{Name: "zz", Title: "Zed & co"}
		}
		if r.IntN(3) == 0 {
			d.DeleteDomains = []string{"sales"}
		}
		for i := range r.IntN(3) {
			e := statetest.Entry("bob", int64(4+i))
			e.Time = e.Time.UTC()
			d.History = append(d.History, e)
		}
		next := &state.Catalog{FormatVersion: state.FormatVersion, Serial: 4, Lineage: "abc"}
		prev := &state.Catalog{Serial: 3, Lineage: "abc"}
		gotDoc, gotIndex, ok, err := state.SpliceIndexed(doc, index, prev, next, d)
		if err != nil || !ok {
			t.Fatalf("round %d: SpliceIndexed: ok %v, %v", round, ok, err)
		}
		wantDoc, wantIndex, err := state.EncodeIndexed(state.Merge(whole, next, d))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(gotDoc, wantDoc) {
			t.Fatalf("round %d: the spliced document differs from the merged one encoded:\n%s\n---\n%s", round, gotDoc, wantDoc)
		}
		if !bytes.Equal(gotIndex, wantIndex) {
			t.Fatalf("round %d: the spliced index differs from the merged one's", round)
		}
	}
	// A document edited since its index was written, or at another
	// serial, is not spliced.
	c := statetest.Linked(5)
	c.Serial, c.Lineage = 3, "abc"
	doc, index, err := state.EncodeIndexed(c)
	if err != nil {
		t.Fatal(err)
	}
	next := &state.Catalog{FormatVersion: state.FormatVersion, Serial: 4, Lineage: "abc"}
	if _, _, ok, _ := state.SpliceIndexed(append(slices.Clone(doc[:len(doc)-1]), ' ', '\n'), index, &state.Catalog{Serial: 3, Lineage: "abc"}, next, state.Delta{}); ok {
		t.Errorf("a document that is not its index's was spliced")
	}
	if _, _, ok, _ := state.SpliceIndexed(doc, index, &state.Catalog{Serial: 2, Lineage: "abc"}, next, state.Delta{}); ok {
		t.Errorf("a document at another serial than the part's was spliced")
	}
}

// FuzzDecodePart feeds DecodePart and SpliceIndexed arbitrary indexes of
// one document: they must not panic, and whatever they accept must read
// exactly what the document holds.
func FuzzDecodePart(f *testing.F) {
	c := statetest.Linked(8)
	c.Serial, c.Lineage = 2, "ab"
	c.History = append(c.History, statetest.Entry("alice", 2))
	doc, index, err := state.EncodeIndexed(c)
	if err != nil {
		f.Fatal(err)
	}
	whole, err := state.Decode(doc)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(index)
	f.Add([]byte("{}"))
	f.Add(bytes.Replace(index, []byte(`"at":[`), []byte(`"at":[1`), 1))
	all := func(idx *state.Index) []string { return slices.Collect(maps.Keys(idx.Products)) }
	f.Fuzz(func(t *testing.T, index []byte) {
		part, idx, ok := state.DecodePart(doc, index, all)
		if !ok {
			return
		}
		want := state.Part(whole, all)
		if !reflect.DeepEqual(part.Products, want.Products) || !reflect.DeepEqual(part.Meta, want.Meta) ||
			!reflect.DeepEqual(part.Domains, want.Domains) || !reflect.DeepEqual(idx, state.IndexOf(whole)) {
			t.Fatalf("DecodePart accepted an index that reads other than the document:\n%s", index)
		}
		next := &state.Catalog{FormatVersion: state.FormatVersion, Serial: 3, Lineage: "ab"}
		d := state.Delta{History: []state.Entry{statetest.Entry("bob", 3)}}
		d.History[0].Time = d.History[0].Time.UTC()
		got, _, ok, err := state.SpliceIndexed(doc, index, &state.Catalog{Serial: 2, Lineage: "ab"}, next, d)
		if err != nil || !ok {
			t.Fatalf("SpliceIndexed refused an index DecodePart accepted: %v", err)
		}
		wantDoc, _, err := state.EncodeIndexed(state.Merge(whole, next, d))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, wantDoc) {
			t.Fatalf("SpliceIndexed through an accepted index wrote another document")
		}
	})
}
