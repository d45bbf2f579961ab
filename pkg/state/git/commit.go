package git

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode"

	git "github.com/go-git/go-git/v5"
	gitconfig "github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"

	"github.com/meshc-dev/meshc/pkg/catalog"
	"github.com/meshc-dev/meshc/pkg/state"
)

// committerEmail is the address of meshc's commits: the actor is a name
// (MESHC_USER, GITHUB_ACTOR or user@host), not a mailbox.
const committerEmail = "meshc@meshc.invalid"

// rebases bounds how often Replace moves its commit onto a tip that
// changed the branch but not the catalog.
const rebases = 3

// Replace commits next on the tip the last Read saw and pushes it to the
// branch, which the remote accepts only while the branch is still at that
// tip (and our lock commit is still the lock ref). If someone pushed
// first, it fetches what they pushed: if the catalog itself is unchanged
// (a commit that touched another file) it commits on top of theirs and
// pushes again; otherwise it fails with a *state.StaleError naming the
// live serial and lineage, and leaves the branch as they left it.
func (s *session) Replace(ctx context.Context, prev, next *state.Catalog) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.released {
		return fmt.Errorf("live catalog %s: the lock was already released", s.b.where())
	}
	data, index, err := state.EncodeIndexed(next)
	if err != nil {
		return err
	}
	return s.publish(ctx, prev, next, data, index)
}

// ReadPart reads part of the catalog at the branch's tip through its
// index, after checking that the lock is still ours; the document is kept
// for ReplacePart to splice into.
func (s *session) ReadPart(ctx context.Context, choose state.Choose) (*state.Catalog, *state.Index, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.doc, s.index = nil, nil
	if s.released {
		return nil, nil, false, fmt.Errorf("live catalog %s: the lock was already released", s.b.where())
	}
	var doc, index []byte
	var tip, blob plumbing.Hash
	err := s.b.with(ctx, func(ctx context.Context, r *git.Repository) error {
		refs, err := s.b.list(ctx, r)
		if err != nil {
			return err
		}
		if err := s.held(ctx, r, refs); err != nil {
			return err
		}
		if tip, err = s.b.fetchTip(ctx, r, refs); err != nil || tip.IsZero() {
			return err
		}
		data, ib, err := s.b.fileAt(r, tip, s.b.IndexPath(), state.MaxIndex)
		if err != nil || ib.IsZero() {
			return nil // read whole instead
		}
		index = data
		doc, blob, err = s.b.docAt(r, tip)
		return err
	})
	if err != nil || doc == nil || index == nil {
		return nil, nil, false, err
	}
	c, idx, ok := state.DecodePart(doc, index, choose)
	if ok {
		s.tip, s.blob, s.doc, s.index = tip, blob, doc, index
	}
	return c, idx, ok, nil
}

// ReplacePart commits the change d, spliced into the document the last
// ReadPart read, as Replace commits a whole catalog.
func (s *session) ReplacePart(ctx context.Context, prev, next *state.Catalog, d state.Delta) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.released {
		return fmt.Errorf("live catalog %s: the lock was already released", s.b.where())
	}
	doc, index := s.doc, s.index
	s.doc, s.index = nil, nil
	if doc == nil {
		return fmt.Errorf("live catalog %s: a part is written only after ReadPart read it", s.b.where())
	}
	data, index, ok, err := state.SpliceIndexed(doc, index, prev, next, d)
	if err != nil {
		return err
	}
	if !ok {
		whole, err := state.Decode(doc)
		if err != nil {
			return err
		}
		if data, index, err = state.EncodeIndexed(state.Merge(whole, next, d)); err != nil {
			return err
		}
	}
	return s.publish(ctx, prev, next, data, index)
}

// publish commits the document data and its index on the tip the last
// read saw and pushes them (see Replace). s.mu is held.
func (s *session) publish(ctx context.Context, prev, next *state.Catalog, data, index []byte) error {
	return s.b.with(ctx, func(ctx context.Context, r *git.Repository) error {
		blob, err := writeBlob(r.Storer, data)
		if err != nil {
			return fmt.Errorf("live catalog %s: %v", s.b.where(), err)
		}
		indexBlob, err := writeBlob(r.Storer, index)
		if err != nil {
			return fmt.Errorf("live catalog %s: %v", s.b.where(), err)
		}
		for attempt := 0; ; attempt++ {
			commit, err := s.b.catalogCommit(r, s.tip, blob, indexBlob, next)
			if err != nil {
				return fmt.Errorf("live catalog %s: %v", s.b.where(), err)
			}
			spec := gitconfig.RefSpec(commit.String() + ":" + s.b.branch.String()) // creates it, or fails
			require := []gitconfig.RefSpec{gitconfig.RefSpec(s.lock.String() + ":" + s.b.lockRef.String())}
			if !s.tip.IsZero() {
				spec = "+" + spec // its parent is the tip: the lease below is the check
				require = append(require, gitconfig.RefSpec(s.tip.String()+":"+s.b.branch.String()))
			}
			perr := s.b.push(ctx, r, spec, require...)
			pushed := func() error {
				s.tip, s.blob = commit, blob
				_ = r.Storer.SetReference(plumbing.NewHashReference(s.b.tracking(), commit))
				return nil
			}
			if perr == nil {
				return pushed()
			}
			refs, err := s.b.list(ctx, r)
			if err != nil {
				return err
			}
			cur, exists := refs[s.b.branch]
			if exists && cur == commit { // pushed, but the answer was lost
				return pushed()
			}
			if err := s.held(ctx, r, refs); err != nil {
				return err
			}
			if (!exists && s.tip.IsZero()) || (exists && cur == s.tip) {
				return s.b.fail("pushing", perr) // refused for another reason
			}
			// Someone else pushed first: see what.
			tip, err := s.b.fetchTip(ctx, r, refs)
			if err != nil {
				return err
			}
			live, liveBlob, err := s.b.readAt(r, tip)
			if err != nil {
				return err
			}
			if liveBlob == s.blob && attempt < rebases {
				s.tip = tip
				continue
			}
			return staleError(prev, live)
		}
	})
}

// staleError reports the live catalog that replaced prev.
func staleError(prev, live *state.Catalog) *state.StaleError {
	e := &state.StaleError{}
	if prev != nil {
		e.Expected, e.ExpectedLineage = prev.Serial, prev.Lineage
	}
	if live != nil {
		e.Live, e.LiveLineage = live.Serial, live.Lineage
	}
	return e
}

// catalogCommit writes the commit of the catalog blob and its index blob
// on parent (zero: a root commit, the branch's first), keeping the
// parent's other files. Whatever was at the index's path is replaced:
// the path is meshc's, and the parent keeps what was there.
func (b *Backend) catalogCommit(r *git.Repository, parent, blob, index plumbing.Hash, next *state.Catalog) (plumbing.Hash, error) {
	base, parents, err := treeOf(r, parent)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	tree, err := putFile(r.Storer, base, splitPath(b.o.Path), blob)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	withDoc, err := object.GetTree(r.Storer, tree)
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("tree %s: %v", tree, err)
	}
	if tree, err = putFile(r.Storer, withDoc, splitPath(b.IndexPath()), index); err != nil {
		return plumbing.ZeroHash, err
	}
	now := b.o.Now()
	actor := "meshc"
	if e := newest(next); e != nil {
		actor = oneLine(e.User, actor)
	}
	return writeCommit(r.Storer, &object.Commit{
		Author:       object.Signature{Name: actor, Email: committerEmail, When: now},
		Committer:    object.Signature{Name: "meshc", Email: committerEmail, When: now},
		Message:      message(next),
		TreeHash:     tree,
		ParentHashes: parents,
	})
}

// treeOf returns the tree of commit parent and parent as a new commit's
// parents; nil and none if parent is zero.
func treeOf(r *git.Repository, parent plumbing.Hash) (*object.Tree, []plumbing.Hash, error) {
	if parent.IsZero() {
		return nil, nil, nil
	}
	c, err := object.GetCommit(r.Storer, parent)
	if err != nil {
		return nil, nil, fmt.Errorf("commit %s: %v", parent, err)
	}
	base, err := c.Tree()
	if err != nil {
		return nil, nil, fmt.Errorf("tree of commit %s: %v", parent, err)
	}
	return base, []plumbing.Hash{parent}, nil
}

// splitPath is a cleaned slash-separated path's parts, for putFile.
func splitPath(p string) []string { return strings.Split(p, "/") }

// newest is the history entry of the apply that writes next, if it has one.
func newest(next *state.Catalog) *state.Entry {
	if n := len(next.History); n > 0 && next.History[n-1].Serial == next.Serial {
		return &next.History[n-1]
	}
	return nil
}

// message is the commit message of next: the domains and commits applied
// and who applied them, from its newest history entry.
func message(next *state.Catalog) string {
	e := newest(next)
	if e == nil {
		return fmt.Sprintf("meshc: write the live catalog at serial %d\n", next.Serial)
	}
	user := oneLine(e.User, "unknown")
	names := slices.Sorted(maps.Keys(e.Sources))
	var short []string
	for _, name := range names[:min(3, len(names))] {
		short = append(short, revision(oneLine(name, "?"), e.Sources[name]))
	}
	list := strings.Join(short, ", ")
	if len(names) > 3 {
		list += fmt.Sprintf(" and %d more", len(names)-3)
	}
	var b strings.Builder
	if list == "" {
		fmt.Fprintf(&b, "meshc apply by %s (serial %d)\n", user, next.Serial)
	} else {
		fmt.Fprintf(&b, "meshc apply %s by %s (serial %d)\n", list, user, next.Serial)
	}
	fmt.Fprintf(&b, "\nApplied by %s at %s: %d created, %d updated, %d deleted, %d breaking.\n",
		user, e.Time.UTC().Format("2006-01-02T15:04:05Z"), e.Summary.Create, e.Summary.Update, e.Summary.Delete, e.Summary.Breaking)
	if len(names) > 0 {
		b.WriteString("\n")
	}
	for _, name := range names {
		src := e.Sources[name]
		fmt.Fprintf(&b, "domain %s", oneLine(name, "?"))
		if rev := src.Revision(); rev != "" {
			what := "commit"
			if src.Commit == "" {
				what = "digest"
			}
			fmt.Fprintf(&b, " %s %s", what, oneLine(rev, "?"))
		}
		var from []string
		if src.Git != "" {
			from = append(from, oneLine(src.Git, "?"))
		}
		if src.Ref != "" {
			from = append(from, "ref "+oneLine(src.Ref, "?"))
		}
		if src.Path != "" {
			from = append(from, "path "+oneLine(src.Path, "?"))
		}
		if len(from) > 0 {
			fmt.Fprintf(&b, " (%s)", strings.Join(from, " "))
		}
		b.WriteString("\n")
	}
	return b.String()
}

// revision is a domain at its short commit, sales@abc123456789; a domain
// read from a local directory has no commit (its digest is in the body).
func revision(name string, src catalog.Source) string {
	if src.Commit == "" {
		return name
	}
	rev := oneLine(src.Commit, "?")
	if len(rev) > 12 {
		rev = rev[:12]
	}
	return name + "@" + rev
}

// oneLine makes an untrusted string safe for one line of a commit or
// message: control characters become spaces, runs of space one, at most
// 200 bytes; "" is or.
func oneLine(s, or string) string {
	s = strings.Join(strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }), " ")
	if len(s) > 200 {
		s = strings.ToValidUTF8(s[:200], "")
	}
	if s == "" {
		return or
	}
	return s
}

// putFile writes the tree of base (nil: empty) with the file at the path
// parts set to blob, making directories as needed, and returns its hash.
func putFile(s storer.EncodedObjectStorer, base *object.Tree, parts []string, blob plumbing.Hash) (plumbing.Hash, error) {
	var entries []object.TreeEntry
	if base != nil {
		entries = slices.Clone(base.Entries)
	}
	name := parts[0]
	i := slices.IndexFunc(entries, func(e object.TreeEntry) bool { return e.Name == name })
	entry := object.TreeEntry{Name: name, Mode: filemode.Regular, Hash: blob}
	if len(parts) > 1 {
		var sub *object.Tree
		if i >= 0 {
			if entries[i].Mode != filemode.Dir {
				return plumbing.ZeroHash, fmt.Errorf("%s is a file in the branch, not a directory", name)
			}
			t, err := object.GetTree(s, entries[i].Hash)
			if err != nil {
				return plumbing.ZeroHash, fmt.Errorf("tree %s: %v", name, err)
			}
			sub = t
		}
		h, err := putFile(s, sub, parts[1:], blob)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		entry = object.TreeEntry{Name: name, Mode: filemode.Dir, Hash: h}
	}
	if i >= 0 {
		entries[i] = entry
	} else {
		entries = append(entries, entry)
	}
	// Git's order: by name, a directory's name as if it ended in "/".
	slices.SortFunc(entries, func(a, b object.TreeEntry) int { return strings.Compare(sortName(a), sortName(b)) })
	obj := s.NewEncodedObject()
	if err := (&object.Tree{Entries: entries}).Encode(obj); err != nil {
		return plumbing.ZeroHash, err
	}
	return s.SetEncodedObject(obj)
}

func sortName(e object.TreeEntry) string {
	if e.Mode == filemode.Dir {
		return e.Name + "/"
	}
	return e.Name
}

func writeBlob(s storer.EncodedObjectStorer, data []byte) (plumbing.Hash, error) {
	obj := s.NewEncodedObject()
	obj.SetType(plumbing.BlobObject)
	obj.SetSize(int64(len(data)))
	w, err := obj.Writer()
	if err != nil {
		return plumbing.ZeroHash, err
	}
	if _, err := w.Write(data); err != nil {
		return plumbing.ZeroHash, err
	}
	if err := w.Close(); err != nil {
		return plumbing.ZeroHash, err
	}
	return s.SetEncodedObject(obj)
}

func writeCommit(s storer.EncodedObjectStorer, c *object.Commit) (plumbing.Hash, error) {
	obj := s.NewEncodedObject()
	if err := c.Encode(obj); err != nil {
		return plumbing.ZeroHash, err
	}
	return s.SetEncodedObject(obj)
}
