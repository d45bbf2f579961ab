package state

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
)

// File is the default backend: the catalog as one JSON file, guarded by a
// lock file next to it (<Path>.lock).
type File struct {
	Path string
}

var _ Store = (*File)(nil)

// NewFile returns the file backend for the catalog at path.
func NewFile(path string) *File { return &File{Path: path} }

// Describe names the backend and its file, e.g. "file .meshc/catalog.json".
func (f *File) Describe() string { return "file " + f.Path }

// Read returns the catalog in the file, or New() if there is no file yet.
func (f *File) Read(ctx context.Context) (*Catalog, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return f.read()
}

func (f *File) read() (*Catalog, error) {
	data, err := os.ReadFile(f.Path)
	if errors.Is(err, fs.ErrNotExist) {
		return New(), nil
	}
	if err != nil {
		return nil, fmt.Errorf("read live catalog: %w", err)
	}
	c, cerr := decode(data)
	if cerr != nil {
		cerr.Path = f.Path
		return nil, cerr
	}
	return c, nil
}

// fileLock is a lock held on a File through its lock file.
type fileLock struct {
	file    *File
	path    string // the lock file
	content []byte // what we wrote to it, to know it is still ours

	mu       sync.Mutex
	released bool
}

// Write replaces the file's catalog with c if it is still at expectSerial
// and of c's lineage; see Lock.Write. A catalog file meshc cannot read is
// left untouched.
func (l *fileLock) Write(ctx context.Context, c *Catalog, expectSerial int64) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.released {
		return fmt.Errorf("write live catalog %s: the lock was already released", l.file.Path)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := l.stillOurs(); err != nil {
		return fmt.Errorf("write live catalog %s: %w", l.file.Path, err)
	}
	live, err := l.file.read()
	if err != nil {
		return err
	}
	// An empty lineage means there is no catalog yet: the first write
	// keeps c's lineage if it has one (a catalog moved from another
	// backend) or starts a new one.
	if live.Serial != expectSerial || (live.Lineage != "" && live.Lineage != c.Lineage) {
		return &StaleError{Live: live.Serial, Expected: expectSerial, LiveLineage: live.Lineage, ExpectedLineage: c.Lineage}
	}

	out := *c
	out.FormatVersion = FormatVersion
	out.Serial = expectSerial + 1
	if out.Lineage == "" {
		out.Lineage = newLineage()
	}
	out.normalize()
	out.History = slices.Clone(out.History)
	for i := range out.History {
		out.History[i].Time = out.History[i].Time.UTC() // same instant, same bytes
	}
	data, err := encode(&out)
	if err != nil {
		return err
	}
	if err := writeAtomic(l.file.Path, data); err != nil {
		return fmt.Errorf("write live catalog: %w", err)
	}
	*c = out
	return nil
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
