package source

import (
	"strings"
	"testing"
	"testing/fstest"
)

// TestCheckFiles checks each file a domain's loader would pass over: no
// package clause, another package, bytes that are not UTF-8 (placed at
// their line and column in characters); files CUE ignores are left alone.
func TestCheckFiles(t *testing.T) {
	d := &Domain{Name: "orders", Dir: "domains/orders", FS: fstest.MapFS{
		"a.cue":        {Data: []byte("package orders\n\nx: 1\n")},
		"b.cue":        {Data: []byte("// notes\nx: 2\n")},
		"c.cue":        {Data: []byte("package billing\n")},
		"d.cue":        {Data: []byte("package orders\n\nt: \"é€\xff\"\n")},
		"_skip.cue":    {Data: []byte("\xff")},
		"notes.txt":    {Data: []byte("\xff")},
		"nested/e.cue": {Data: []byte("\xff")},
	}}
	var got []string
	for _, dg := range append(CheckUTF8(d), CheckPackages(d)...) {
		got = append(got, dg.Pos().String()+": "+dg.Message)
	}
	want := []string{
		"domains/orders/d.cue:3:7: byte 0xff is not UTF-8: CUE files are UTF-8 text; save the file as UTF-8",
		"domains/orders/b.cue:1:1: the file has no package clause, so it would not be part of domain orders: start it with `package orders`",
		"domains/orders/c.cue:1:9: the file is `package billing`, but the files of domain orders are `package orders`: change its package clause to `package orders`",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
