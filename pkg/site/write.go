package site

import (
	"fmt"
	"mime"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync/atomic"
)

// FS is where a site is written: a directory, or anything else that can
// store files by slash-separated path.
type FS interface {
	WriteFile(name string, data []byte) error
}

// Dir is a directory on disk as an FS.
type Dir string

// WriteFile writes data to name under d, making its directories.
func (d Dir) WriteFile(name string, data []byte) error {
	p := filepath.Join(string(d), filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	return os.WriteFile(p, data, 0o644)
}

// Write writes every file of s to fsys.
func (s *Site) Write(fsys FS) error {
	for _, p := range s.Paths() {
		if err := fsys.WriteFile(p, s.files[p]); err != nil {
			return fmt.Errorf("site: writing %s: %w", p, err)
		}
	}
	return nil
}

// ManifestName is the file in which WriteDir lists the files it wrote, so
// that the next write removes those the new site no longer has.
const ManifestName = ".meshc-site"

// WriteDir writes s into dir, then removes the files that an earlier
// WriteDir listed there and s no longer has (a removed product's page). It
// touches no file it did not write.
func (s *Site) WriteDir(dir string) error {
	old, _ := os.ReadFile(filepath.Join(dir, ManifestName))
	if err := s.Write(Dir(dir)); err != nil {
		return err
	}
	for _, p := range strings.Split(string(old), "\n") {
		if _, keep := s.files[p]; keep || !safePath(p) {
			continue
		}
		if err := os.Remove(filepath.Join(dir, filepath.FromSlash(p))); err != nil && !os.IsNotExist(err) {
			return fmt.Errorf("site: removing %s: %w", p, err)
		}
	}
	return os.WriteFile(filepath.Join(dir, ManifestName), []byte(strings.Join(s.Paths(), "\n")+"\n"), 0o644)
}

// safePath reports whether p is a path a site could have written: relative,
// clean, inside the directory.
func safePath(p string) bool {
	return p != "" && p != "." && !strings.HasPrefix(p, "/") && !strings.Contains(p, "\\") &&
		path.Clean(p) == p && p != ".." && !strings.HasPrefix(p, "../") && p != ManifestName
}

// contentTypes are the types of the files a site has, whatever the
// system's MIME table says.
var contentTypes = map[string]string{".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8"}

// Handler serves sites, the latest one set: serve swaps in each rebuild.
type Handler struct {
	cur atomic.Pointer[Site]
}

// Set makes s the site served.
func (h *Handler) Set(s *Site) { h.cur.Store(s) }

// ServeHTTP serves the file at the request's path ("/" is the index),
// with the page's Content-Security-Policy also as a header.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s := h.cur.Load()
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if s == nil {
		http.Error(w, "the site is being built", http.StatusServiceUnavailable)
		return
	}
	p := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
	if p == "" {
		p = "index.html"
	}
	data, ok := s.files[p]
	if !ok {
		http.NotFound(w, r)
		return
	}
	ct := contentTypes[path.Ext(p)]
	if ct == "" {
		ct = mime.TypeByExtension(path.Ext(p))
	}
	if ct == "" {
		ct = "application/octet-stream"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-cache")
	if strings.HasSuffix(p, ".html") {
		w.Header().Set("Content-Security-Policy", s.csp[p]+"; frame-ancestors 'none'")
		w.Header().Set("Referrer-Policy", "no-referrer")
	}
	if r.Method == http.MethodHead {
		return
	}
	w.Write(data)
}
