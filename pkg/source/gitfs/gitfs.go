package gitfs

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// maxLinks bounds symbolic link resolution, as the kernel's ELOOP does.
const maxLinks = 40

// FS is a git tree as an fs.FS. Files are read into memory when opened.
// Symbolic links are followed within the tree; links that leave it, and
// submodules, are left out. It is safe for concurrent use.
type FS struct {
	root *object.Tree
	mu   sync.Locker
	time time.Time
}

var (
	_ fs.ReadDirFS  = (*FS)(nil)
	_ fs.ReadFileFS = (*FS)(nil)
	_ fs.StatFS     = (*FS)(nil)
)

// New returns root as a file system whose entries carry modTime. mu, when
// not nil, is held while objects are read: go-git's storage and trees are
// not safe for concurrent use, and one repository may back several FSs.
func New(root *object.Tree, mu sync.Locker, modTime time.Time) *FS {
	if mu == nil {
		mu = &sync.Mutex{}
	}
	return &FS{root: root, mu: mu, time: modTime}
}

// node is a resolved name: a tree or a file entry within its parent.
type node struct {
	name  string
	path  string       // a directory's path, links resolved
	tree  *object.Tree // a directory
	entry *object.TreeEntry
	in    *object.Tree // the file's directory
}

// lookup resolves name, following symbolic links. It is called with mu
// held.
func (f *FS) lookup(op, name string) (*node, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	notExist := &fs.PathError{Op: op, Path: name, Err: fs.ErrNotExist}
	todo := []string{}
	if name != "." {
		todo = strings.Split(name, "/")
	}
	var done []string // the resolved path so far
	dirs := []*object.Tree{f.root}
	links := 0
	for len(todo) > 0 {
		elem := todo[0]
		todo = todo[1:]
		cur := dirs[len(dirs)-1]
		switch elem {
		case ".":
			continue
		case "..":
			if len(dirs) == 1 {
				return nil, notExist // a link out of the tree
			}
			dirs, done = dirs[:len(dirs)-1], done[:len(done)-1]
			continue
		}
		e, err := cur.FindEntry(elem)
		if err != nil {
			return nil, notExist
		}
		switch {
		case e.Mode == filemode.Dir:
			sub, err := cur.Tree(elem)
			if err != nil {
				return nil, &fs.PathError{Op: op, Path: name, Err: err}
			}
			dirs, done = append(dirs, sub), append(done, elem)
		case e.Mode == filemode.Symlink:
			links++
			if links > maxLinks {
				return nil, &fs.PathError{Op: op, Path: name, Err: errors.New("too many levels of symbolic links")}
			}
			target, err := readEntry(cur, e)
			if err != nil {
				return nil, &fs.PathError{Op: op, Path: name, Err: err}
			}
			t := string(target)
			if path.IsAbs(t) {
				return nil, notExist
			}
			todo = append(strings.Split(t, "/"), todo...)
		case e.Mode.IsFile():
			if len(todo) > 0 {
				return nil, &fs.PathError{Op: op, Path: name, Err: errors.New("not a directory")}
			}
			return &node{name: path.Base(name), entry: e, in: cur}, nil
		default: // a submodule: its files are not in this repository
			return nil, notExist
		}
	}
	return &node{name: path.Base(name), path: path.Join(append([]string{"."}, done...)...), tree: dirs[len(dirs)-1]}, nil
}

func readEntry(in *object.Tree, e *object.TreeEntry) ([]byte, error) {
	file, err := in.TreeEntryFile(e)
	if err != nil {
		return nil, err
	}
	r, err := file.Reader()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}

// Open opens name, reading a file's contents into memory.
func (f *FS) Open(name string) (fs.File, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, err := f.lookup("open", name)
	if err != nil {
		return nil, err
	}
	if n.tree != nil {
		entries, err := f.entries(n.tree, n.path)
		if err != nil {
			return nil, &fs.PathError{Op: "open", Path: name, Err: err}
		}
		return &dir{info: f.dirInfo(n.name), entries: entries}, nil
	}
	data, err := readEntry(n.in, n.entry)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: err}
	}
	return &file{Reader: bytes.NewReader(data), info: f.fileInfo(n.name, n.entry.Mode, int64(len(data)))}, nil
}

// ReadFile returns the contents of the named file.
func (f *FS) ReadFile(name string) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, err := f.lookup("readfile", name)
	if err != nil {
		return nil, err
	}
	if n.tree != nil {
		return nil, &fs.PathError{Op: "readfile", Path: name, Err: errors.New("is a directory")}
	}
	data, err := readEntry(n.in, n.entry)
	if err != nil {
		return nil, &fs.PathError{Op: "readfile", Path: name, Err: err}
	}
	return data, nil
}

// ReadDir returns the named directory's entries, sorted by name.
func (f *FS) ReadDir(name string) ([]fs.DirEntry, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, err := f.lookup("readdir", name)
	if err != nil {
		return nil, err
	}
	if n.tree == nil {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: errors.New("not a directory")}
	}
	entries, err := f.entries(n.tree, n.path)
	if err != nil {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: err}
	}
	return entries, nil
}

// Stat describes the named file.
func (f *FS) Stat(name string) (fs.FileInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, err := f.lookup("stat", name)
	if err != nil {
		return nil, err
	}
	if n.tree != nil {
		return f.dirInfo(n.name), nil
	}
	size, err := n.in.Size(n.entry.Name)
	if err != nil {
		return nil, &fs.PathError{Op: "stat", Path: name, Err: err}
	}
	return f.fileInfo(n.name, n.entry.Mode, size), nil
}

// entries lists t, following symbolic links to learn what they name and
// leaving out the ones that lead nowhere. It is called with mu held.
func (f *FS) entries(t *object.Tree, dir string) ([]fs.DirEntry, error) {
	out := make([]fs.DirEntry, 0, len(t.Entries))
	for i := range t.Entries {
		e := &t.Entries[i]
		switch {
		case e.Mode == filemode.Dir:
			out = append(out, dirEntry{f: f, info: f.dirInfo(e.Name)})
		case e.Mode == filemode.Symlink: // before IsFile, which counts links as files
			fi, ok := f.follow(path.Join(dir, e.Name))
			if ok {
				out = append(out, dirEntry{f: f, info: fi, in: t})
			}
		case e.Mode.IsFile():
			out = append(out, dirEntry{f: f, info: f.fileInfo(e.Name, e.Mode, -1), in: t})
		}
	}
	slices.SortFunc(out, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return out, nil
}

// follow describes what the link at name points to, as Stat would, or
// reports that it leads nowhere. It is called with mu held.
func (f *FS) follow(name string) (*info, bool) {
	n, err := f.lookup("stat", name)
	if err != nil {
		return nil, false
	}
	if n.tree != nil {
		return f.dirInfo(path.Base(name)), true
	}
	size, err := n.in.Size(n.entry.Name)
	if err != nil {
		return nil, false
	}
	return f.fileInfo(path.Base(name), n.entry.Mode, size), true
}

func (f *FS) dirInfo(name string) *info {
	return &info{name: name, mode: fs.ModeDir | 0o555, size: 0, time: f.time}
}

// fileInfo describes a file; a size below zero is read when asked for.
func (f *FS) fileInfo(name string, m filemode.FileMode, size int64) *info {
	mode := fs.FileMode(0o444)
	if m == filemode.Executable {
		mode = 0o555
	}
	return &info{name: name, mode: mode, size: size, time: f.time}
}

type info struct {
	name string
	mode fs.FileMode
	size int64
	time time.Time
}

func (i *info) Name() string       { return i.name }
func (i *info) Size() int64        { return i.size }
func (i *info) Mode() fs.FileMode  { return i.mode }
func (i *info) ModTime() time.Time { return i.time }
func (i *info) IsDir() bool        { return i.mode.IsDir() }
func (i *info) Sys() any           { return nil }

// dirEntry is one entry of a directory listing; a file's size is read
// only when Info is called.
type dirEntry struct {
	f    *FS
	info *info
	in   *object.Tree
}

func (d dirEntry) Name() string      { return d.info.name }
func (d dirEntry) IsDir() bool       { return d.info.IsDir() }
func (d dirEntry) Type() fs.FileMode { return d.info.mode.Type() }
func (d dirEntry) String() string    { return fs.FormatDirEntry(d) }

func (d dirEntry) Info() (fs.FileInfo, error) {
	if d.info.size >= 0 {
		return d.info, nil
	}
	d.f.mu.Lock()
	defer d.f.mu.Unlock()
	size, err := d.in.Size(d.info.name)
	if err != nil {
		return nil, err
	}
	fi := *d.info
	fi.size = size
	return &fi, nil
}

// file is an open file, held in memory.
type file struct {
	*bytes.Reader
	info *info
}

func (f *file) Stat() (fs.FileInfo, error) { return f.info, nil }
func (f *file) Close() error               { return nil }

// dir is an open directory.
type dir struct {
	info    *info
	entries []fs.DirEntry
	off     int
}

func (d *dir) Stat() (fs.FileInfo, error) { return d.info, nil }
func (d *dir) Close() error               { return nil }

func (d *dir) Read([]byte) (int, error) {
	return 0, &fs.PathError{Op: "read", Path: d.info.name, Err: errors.New("is a directory")}
}

// ReadDir reads the next n entries, as fs.ReadDirFile says.
func (d *dir) ReadDir(n int) ([]fs.DirEntry, error) {
	rest := d.entries[d.off:]
	if n <= 0 {
		d.off = len(d.entries)
		return slices.Clone(rest), nil
	}
	if len(rest) == 0 {
		return nil, io.EOF
	}
	n = min(n, len(rest))
	d.off += n
	return slices.Clone(rest[:n]), nil
}
