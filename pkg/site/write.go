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
	ct := mime.TypeByExtension(path.Ext(p))
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
