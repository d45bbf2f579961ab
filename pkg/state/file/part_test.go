package file

import (
	"bytes"
	"maps"
	"os"
	"path/filepath"
	"testing"

	"github.com/meshc-dev/meshc/pkg/state"
	"github.com/meshc-dev/meshc/pkg/state/statetest"
)

// TestWritePartSplices checks that a part write keeps the bytes of every
// product it leaves alone and writes the index of the new document, and
// that a document edited by hand under a held lock is merged into, not
// overwritten.
func TestWritePartSplices(t *testing.T) {
	path := filepath.Join(t.TempDir(), "catalog.json")
	st := Open(path)
	l, err := st.Lock(t.Context(), "test")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Unlock()
	if err := l.Write(t.Context(), statetest.Linked(30), 0); err != nil {
		t.Fatal(err)
	}
	choose := func(*state.Index) []string { return []string{"d01.p005"} }
	write := func(title string) {
		t.Helper()
		part, err := l.ReadPart(t.Context(), choose)
		if err != nil {
			t.Fatal(err)
		}
		if part.Part() == nil || len(part.Products) != 1 {
			t.Fatalf("ReadPart: %d products", len(part.Products))
		}
		next := *part
		next.Products = maps.Clone(part.Products)
		p := *part.Products["d01.p005"]
		p.Title = title
		next.Products[p.ID] = &p
		next.KeepPart(part)
		if err := l.Write(t.Context(), &next, part.Serial); err != nil {
			t.Fatal(err)
		}
	}
	write("spliced")
	whole, err := st.Read(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	want, wantIndex, err := state.EncodeIndexed(whole)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	gotIndex, _ := os.ReadFile(IndexPath(path))
	if !bytes.Equal(got, want) || !bytes.Equal(gotIndex, wantIndex) {
		t.Errorf("the spliced document or index is not the catalog's own")
	}
	if whole.Products["d01.p005"].Title != "spliced" || whole.Serial != 2 {
		t.Errorf("after the part write: title %q, serial %d", whole.Products["d01.p005"].Title, whole.Serial)
	}

	// A hand edit of another product while the lock is held: the index no
	// longer matches, the document is decoded whole and the edit kept.
	part, err := l.ReadPart(t.Context(), choose)
	if err != nil {
		t.Fatal(err)
	}
	edited := bytes.Replace(got, []byte(`\u2028of d02.p010"`), []byte(`by hand"`), 1)
	if bytes.Equal(edited, got) {
		t.Fatal("no product d02.p010 to edit")
	}
	if err := os.WriteFile(path, edited, 0o644); err != nil {
		t.Fatal(err)
	}
	next := *part
	next.Products = maps.Clone(part.Products)
	p := *part.Products["d01.p005"]
	p.Title = "merged"
	next.Products[p.ID] = &p
	next.KeepPart(part)
	if err := l.Write(t.Context(), &next, part.Serial); err != nil {
		t.Fatal(err)
	}
	after, err := st.Read(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if after.Products["d02.p010"].Description != "Orders <b>&</b> returnsby hand" || after.Products["d01.p005"].Title != "merged" {
		t.Errorf("a hand edit under the lock was lost, or the part not written: %q, %q", after.Products["d02.p010"].Description, after.Products["d01.p005"].Title)
	}
}
