package site

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestHandler(t *testing.T) {
	h := &Handler{}
	get := func(method, path string) *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(method, path, nil))
		return w
	}
	if w := get("GET", "/"); w.Code != http.StatusServiceUnavailable {
		t.Errorf("before the first build: %d, want 503", w.Code)
	}
	m, live := PayloadMesh()
	s, err := Build(m, Options{Live: live})
	if err != nil {
		t.Fatal(err)
	}
	h.Set(s)
	index, _ := s.File("index.html")
	for _, tc := range []struct {
		method, path string
		code         int
		ctype        string
	}{
		{"GET", "/", 200, "text/html; charset=utf-8"},
		{"GET", "/index.html", 200, "text/html; charset=utf-8"},
		{"HEAD", "/domains.html", 200, "text/html; charset=utf-8"},
		{"GET", "/assets/site.css", 200, "text/css; charset=utf-8"},
		{"GET", "/../../etc/passwd", 404, ""},
		{"GET", "/products/", 404, ""},
		{"POST", "/", 405, ""},
	} {
		w := get(tc.method, tc.path)
		if w.Code != tc.code {
			t.Errorf("%s %s: %d, want %d", tc.method, tc.path, w.Code, tc.code)
			continue
		}
		if tc.code != 200 {
			continue
		}
		if ct := w.Header().Get("Content-Type"); ct != tc.ctype {
			t.Errorf("%s %s: Content-Type %q, want %q", tc.method, tc.path, ct, tc.ctype)
		}
		if w.Header().Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s %s: no nosniff", tc.method, tc.path)
		}
		csp := w.Header().Get("Content-Security-Policy")
		if strings.HasSuffix(tc.path, ".css") != (csp == "") {
			t.Errorf("%s %s: CSP header %q", tc.method, tc.path, csp)
		}
		if tc.path == "/" && (w.Body.String() != string(index) || !strings.Contains(csp, "script-src '"+scriptHash(searchJS)+"'")) {
			t.Errorf("GET / is not the index with its policy: %q", csp)
		}
		if tc.method == "HEAD" && w.Body.Len() != 0 {
			t.Errorf("HEAD has a body")
		}
	}
}
