package state_test

import (
	"bytes"
	"maps"
	"reflect"
	"slices"
	"testing"

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
