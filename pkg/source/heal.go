package source

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
)

// unreadableError is a cached clone that fails to read: a pack cut short,
// a missing object, a corrupt ref or HEAD. Fetch moves such a clone aside
// and clones again, once.
type unreadableError struct{ err error }

func (e *unreadableError) Error() string { return e.err.Error() }
func (e *unreadableError) Unwrap() error { return e.err }

func unreadable(format string, args ...any) error {
	return &unreadableError{err: fmt.Errorf(format, args...)}
}

// maxCheckedRefs bounds the refs checkClone reads: a clone deepened to
// find a commit holds every tag of the repository. A damaged ref beyond
// them is found when it is used.
const maxCheckedRefs = 64

// checkClone looks, cheaply, for the damage that makes a clone fail every
// later run: a pack file cut short (its trailer is not the checksum its
// index records, as after an interrupted copy or cache restore), HEAD or
// a ref that cannot be read, a ref whose commit or tree is missing. It
// reads the last bytes of each pack and the objects the refs name, never
// a whole pack.
func checkClone(repo *git.Repository, dir string) error {
	idxs, _ := filepath.Glob(filepath.Join(dir, "objects", "pack", "pack-*.idx"))
	for _, idx := range idxs {
		if err := checkPack(idx); err != nil {
			return &unreadableError{err: err}
		}
	}
	if _, err := repo.Storer.Reference(plumbing.HEAD); err != nil {
		return unreadable("reading HEAD: %v", err)
	}
	iter, err := repo.Storer.IterReferences()
	if err != nil {
		return unreadable("reading its refs: %v", err)
	}
	defer iter.Close()
	n := 0
	return iter.ForEach(func(r *plumbing.Reference) error {
		if r.Type() != plumbing.HashReference {
			return nil
		}
		if n++; n > maxCheckedRefs {
			return storer.ErrStop
		}
		if r.Hash().IsZero() {
			return unreadable("%s does not hold a commit", r.Name())
		}
		commit, err := peel(repo, r.Hash())
		var bad *unreadableError
		if errors.As(err, &bad) {
			return unreadable("%s: %v", r.Name(), err)
		}
		if err != nil {
			return nil // a tag of a tree or blob: not ours to judge
		}
		if _, err := commit.Tree(); err != nil {
			return unreadable("%s: tree %s: %v", r.Name(), commit.TreeHash, err)
		}
		return nil
	})
}

// checkPack compares the checksum that ends the pack of index idx with the
// one the index records for it (both index versions end with the pack's
// checksum, then their own).
func checkPack(idx string) error {
	name := strings.TrimSuffix(filepath.Base(idx), ".idx") + ".pack"
	want, err := tail(idx, 40)
	if err != nil {
		return fmt.Errorf("index of %s: %v", name, err)
	}
	got, err := tail(strings.TrimSuffix(idx, ".idx")+".pack", 20)
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("%s is missing", name)
	}
	if err != nil {
		return fmt.Errorf("%s: %v", name, err)
	}
	if !bytes.Equal(got, want[:20]) {
		return fmt.Errorf("%s is cut short or damaged: it does not end with the checksum its index records", name)
	}
	return nil
}

// tail reads the last n bytes of a file that must hold more than 2n.
func tail(path string, n int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if fi.Size() <= 2*n {
		return nil, fmt.Errorf("only %d bytes", fi.Size())
	}
	b := make([]byte, n)
	if _, err := f.ReadAt(b, fi.Size()-n); err != nil {
		return nil, err
	}
	return b, nil
}

// subtree walks from root to the directory sub: a path that is not there
// is the user's mistake (nil, nil); a tree that is there but cannot be
// read is an *unreadableError.
func subtree(repo *git.Repository, root *object.Tree, sub string) (*object.Tree, error) {
	t := root
	for _, elem := range strings.Split(sub, "/") {
		var entry *object.TreeEntry
		for i := range t.Entries {
			if t.Entries[i].Name == elem {
				entry = &t.Entries[i]
				break
			}
		}
		if entry == nil || entry.Mode != filemode.Dir {
			return nil, nil
		}
		next, err := repo.TreeObject(entry.Hash)
		if err != nil {
			return nil, unreadable("tree %s (%s): %v", entry.Hash, elem, err)
		}
		t = next
	}
	return t, nil
}

// checkFiles reads the .cue files (and links) at the root of t, the ones
// meshc will read, so that a damaged object is found now, while the clone
// can still be cloned again, rather than when the domain is compiled.
func checkFiles(t *object.Tree) error {
	for i := range t.Entries {
		e := &t.Entries[i]
		if !e.Mode.IsFile() || (e.Mode != filemode.Symlink && !strings.HasSuffix(e.Name, ".cue")) {
			continue
		}
		if err := readBlob(t, e); err != nil {
			return unreadable("%s (blob %s): %v", e.Name, e.Hash, err)
		}
	}
	return nil
}

func readBlob(t *object.Tree, e *object.TreeEntry) error {
	f, err := t.TreeEntryFile(e)
	if err != nil {
		return err
	}
	r, err := f.Reader()
	if err != nil {
		return err
	}
	defer r.Close()
	_, err = io.Copy(io.Discard, r)
	return err
}
