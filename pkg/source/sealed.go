package source

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// ErrOutside is a read that a symbolic link would take out of the domain's
// directory.
var ErrOutside = errors.New("a symbolic link leads out of the domain directory")

// sealedFS reads a domain's directory and nothing beyond it: a symbolic
// link is followed only while it stays inside the directory, and only
// directories and regular files open (a FIFO would block the read for
// ever, a device read anything). Tenants' files cannot read /etc/passwd or
// meshc's own environment (/proc/self/environ) through a link or @embed.
type sealedFS struct {
	root string // absolute, its own links resolved
}

// Sealed returns the file system of directory dir, sealed to it.
func Sealed(dir string) (fs.FS, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	root, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return nil, err
	}
	return sealedFS{root: root}, nil
}

func (s sealedFS) Open(name string) (fs.File, error) {
	real, err := s.resolve("open", name)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(real)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: errors.Unwrap(err)}
	}
	// The file may have been swapped since it was looked at.
	if fi, err := f.Stat(); err != nil || !(fi.Mode().IsRegular() || fi.IsDir()) {
		f.Close()
		return nil, &fs.PathError{Op: "open", Path: name, Err: errors.New("not a regular file")}
	}
	return f, nil
}

func (s sealedFS) Stat(name string) (fs.FileInfo, error) {
	real, err := s.resolve("stat", name)
	if err != nil {
		return nil, err
	}
	return os.Stat(real)
}

// resolve returns the real path of name, refusing a path that leaves the
// root through a link and a file that is neither regular nor a directory.
func (s sealedFS) resolve(op, name string) (string, error) {
	if !fs.ValidPath(name) {
		return "", &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	// A name in the root that is no link is itself: one lstat, not a walk
	// of every element of the path (most reads are of such files).
	if !strings.Contains(name, "/") && name != "." {
		p := filepath.Join(s.root, name)
		if fi, err := os.Lstat(p); err == nil && (fi.Mode().IsRegular() || fi.IsDir()) {
			return p, nil
		}
	}
	real, err := filepath.EvalSymlinks(filepath.Join(s.root, filepath.FromSlash(name)))
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return "", &fs.PathError{Op: op, Path: name, Err: err}
	}
	if real != s.root && !strings.HasPrefix(real, s.root+string(filepath.Separator)) {
		return "", &fs.PathError{Op: op, Path: name, Err: ErrOutside}
	}
	fi, err := os.Stat(real)
	if err != nil {
		return "", &fs.PathError{Op: op, Path: name, Err: errors.Unwrap(err)}
	}
	if !fi.Mode().IsRegular() && !fi.IsDir() {
		return "", &fs.PathError{Op: op, Path: name, Err: fmt.Errorf("not a regular file but %s", kind(fi.Mode()))}
	}
	return real, nil
}

// kind names a file mode's type for people.
func kind(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "a special file"
}
