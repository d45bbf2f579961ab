package file

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/meshc-dev/meshc/pkg/state"
)

// Backend is the catalog as one JSON file, guarded by a lock file next to
// it (<Path>.lock), with its index beside it (IndexPath).
type Backend struct {
	Path string
}

var (
	_ state.Backend     = (*Backend)(nil)
	_ state.PartReader  = (*Backend)(nil)
	_ state.PartSession = (*session)(nil)
)

// IndexPath is where the index of the catalog file at path is kept:
// state.IndexPath, catalog.index.json beside catalog.json.
func IndexPath(path string) string { return state.IndexPath(path) }

// New returns the file backend for the catalog at path.
func New(path string) *Backend { return &Backend{Path: path} }

// Open returns the Store of the catalog file at path.
func Open(path string) state.Store { return state.NewStore(New(path)) }

// Describe names the backend and its file, e.g. "file .meshc/catalog.json".
func (b *Backend) Describe() string { return "file " + b.Path }

// Read returns the catalog in the file, or nil if there is no file yet.
func (b *Backend) Read(ctx context.Context) (*state.Catalog, error) {
	data, err := os.ReadFile(b.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read live catalog: %w", err)
	}
	c, err := state.Decode(data)
	if ce, ok := errors.AsType[*state.CorruptError](err); ok {
		ce.Path = b.Path
	}
	return c, err
}

// ReadPart reads the products choose names through the index beside the
// file; ok is false if there is no index written for the file as it is.
func (b *Backend) ReadPart(ctx context.Context, choose state.Choose) (*state.Catalog, *state.Index, bool, error) {
	index, err := readIndex(IndexPath(b.Path))
	if err != nil || index == nil {
		return nil, nil, false, nil
	}
	data, err := os.ReadFile(b.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, false, nil
	}
	if err != nil {
		return nil, nil, false, fmt.Errorf("read live catalog: %w", err)
	}
	c, idx, ok := state.DecodePart(data, index, choose)
	return c, idx, ok, nil
}

// readIndex reads an index file, nil if there is none or it is too big to be one.
func readIndex(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() || fi.Size() > state.MaxIndex {
		return nil, err
	}
	return io.ReadAll(io.LimitReader(f, state.MaxIndex+1))
}

// session is a lock held on a Backend through its lock file.
type session struct {
	b       *Backend
	path    string // the lock file
	content []byte // what we wrote to it, to know it is still ours
	notices []string

	mu       sync.Mutex
	released bool
}

// Read reads the file under the lock, after checking the lock is still ours.
func (s *session) Read(ctx context.Context) (*state.Catalog, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.held(); err != nil {
		return nil, err
	}
	return s.b.Read(ctx)
}

// Replace writes next over the file atomically. No one but the lock's
// holder writes the file, so it is still prev if the lock is still ours.
func (s *session) Replace(ctx context.Context, prev, next *state.Catalog) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.held(); err != nil {
		return err
	}
	data, index, err := state.EncodeIndexed(next)
	if err != nil {
		return err
	}
	return s.write(data, index)
}

// ReadPart reads part of the file under the lock, after checking the
// lock is still ours.
func (s *session) ReadPart(ctx context.Context, choose state.Choose) (*state.Catalog, *state.Index, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.held(); err != nil {
		return nil, nil, false, err
	}
	return s.b.ReadPart(ctx, choose)
}

// ReplacePart writes the change d into the file: spliced into the
// document through its index, the products it leaves alone copied as
// they are, or, when the index no longer matches (a hand edit under a
// held lock), merged into the document decoded whole.
func (s *session) ReplacePart(ctx context.Context, prev, next *state.Catalog, d state.Delta) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.held(); err != nil {
		return err
	}
	doc, err := os.ReadFile(s.b.Path)
	if err != nil {
		return fmt.Errorf("read live catalog: %w", err)
	}
	index, _ := readIndex(IndexPath(s.b.Path))
	data, index, ok, err := state.SpliceIndexed(doc, index, prev, next, d)
	if err != nil {
		return err
	}
	if !ok {
		whole, err := state.Decode(doc)
		if ce, isCorrupt := errors.AsType[*state.CorruptError](err); isCorrupt {
			ce.Path = s.b.Path
		}
		if err != nil {
			return err
		}
		if whole.Serial != prev.Serial || whole.Lineage != prev.Lineage {
			return &state.StaleError{Live: whole.Serial, Expected: prev.Serial, LiveLineage: whole.Lineage, ExpectedLineage: prev.Lineage}
		}
		if data, index, err = state.EncodeIndexed(state.Merge(whole, next, d)); err != nil {
			return err
		}
	}
	return s.write(data, index)
}

// write writes the document and its index, the index first: it names
// the document it indexes by checksum, so a reader between the two
// renames (or after a crash) finds it does not match and reads the
// document whole.
func (s *session) write(data, index []byte) error {
	// Only the lock's holder writes temp files beside the catalog: any
	// there now were left by a writer that crashed.
	removeLeftovers(s.b.Path)
	removeLeftovers(IndexPath(s.b.Path))
	if err := writeAtomic(IndexPath(s.b.Path), index); err != nil {
		return fmt.Errorf("write live catalog index: %w", err)
	}
	if err := writeAtomic(s.b.Path, data); err != nil {
		return fmt.Errorf("write live catalog: %w", err)
	}
	return nil
}

// held reports an error unless the lock is held and its file is still ours.
func (s *session) held() error {
	if s.released {
		return fmt.Errorf("live catalog %s: the lock was already released", s.b.Path)
	}
	if err := s.stillOurs(); err != nil {
		return fmt.Errorf("live catalog %s: %w", s.b.Path, err)
	}
	return nil
}

// removeLeftovers removes the temp files of path that an interrupted
// writeAtomic left (best effort: the next write tries again).
func removeLeftovers(path string) {
	matches, _ := filepath.Glob(globEscape(path) + ".tmp-*")
	for _, m := range matches {
		os.Remove(m)
	}
}

// globEscape escapes the glob metacharacters of a path.
func globEscape(p string) string {
	var b strings.Builder
	for _, r := range p {
		if strings.ContainsRune(`*?[\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// writeAtomic replaces path with data so that readers see the old or the
// new file, never a mix, even across a crash: temp file in the same
// directory, fsync, rename, fsync the directory. An existing file keeps its
// permissions; a new one is 0644.
func writeAtomic(path string, data []byte) (err error) {
	perm := fs.FileMode(0o644)
	if fi, err := os.Stat(path); err == nil {
		perm = fi.Mode().Perm()
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err := tmp.Write(data); err != nil {
		return err
	}
	if err := tmp.Chmod(perm); err != nil {
		return err
	}
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	syncDir(dir)
	return nil
}

// syncDir makes a rename in dir durable. It is best effort: the new file is
// already in place, and some systems (Windows, some network filesystems)
// cannot sync a directory; failing now would report a write that happened.
func syncDir(dir string) {
	if runtime.GOOS == "windows" {
		return
	}
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	d.Sync()
	d.Close()
}
