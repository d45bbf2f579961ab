package gittest

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"log"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/go-git/go-git/v5/plumbing/transport/client"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
)

// NeedHTTPBackend skips the test when git's smart-HTTP CGI program,
// git-http-backend, is not installed, and returns its path.
func NeedHTTPBackend(t testing.TB) string {
	t.Helper()
	NeedGit(t)
	out, err := exec.Command("git", "--exec-path").Output()
	if err != nil {
		t.Skipf("git --exec-path: %v", err)
	}
	name := "git-http-backend"
	if runtime.GOOS == "windows" {
		name += ".exe"
	}
	bin := filepath.Join(strings.TrimSpace(string(out)), name)
	if _, err := os.Stat(bin); err != nil {
		t.Skipf("git-http-backend is not installed (no %s): install a git package that ships it", bin)
	}
	return bin
}

// HTTPOptions configures StartHTTP.
type HTTPOptions struct {
	// TLS serves https:// with httptest's certificate (see
	// HTTPServer.Certificate) instead of plain http://.
	TLS bool
	// User and Password, when Password is set, are the only basic-auth
	// credentials accepted: any other request is answered 401 with
	// WWW-Authenticate: Basic realm="git", as a git host does.
	User, Password string
}

// HTTPRequest is one request an HTTPServer received.
type HTTPRequest struct {
	Method string
	// Path is the URL's path and query.
	Path string
	// SentAuth tells whether the request carried basic-auth credentials,
	// User is their user name, and AuthOK whether they were accepted.
	SentAuth bool
	User     string
	AuthOK   bool
	// Status is the status answered.
	Status int
}

// HTTPServer serves every repository below a directory over git's smart
// HTTP protocol, through git-http-backend, on a loopback port, until the
// test ends. It records every request, and can be told to fail some.
type HTTPServer struct {
	// URL is http(s)://127.0.0.1:PORT; a repository's URL is URL + "/" +
	// its path relative to the served directory.
	URL string

	srv  *httptest.Server
	base string
	opts HTTPOptions

	mu       sync.Mutex
	requests []HTTPRequest
	failures []failure
}

// failure answers the next n requests that match with status; n < 0
// means every one.
type failure struct {
	n      int
	status int
	match  func(*http.Request) bool
}

// StartHTTP serves every repository below base over smart HTTP (plain, or
// TLS with o.TLS), with basic auth when o.Password is set, and stops when
// the test ends. It skips the test when git-http-backend is missing.
func StartHTTP(t testing.TB, base string, o HTTPOptions) *HTTPServer {
	t.Helper()
	bin := NeedHTTPBackend(t)
	stderr := &lockedBuffer{}
	backend := &cgi.Handler{
		Path: bin,
		Dir:  base,
		Env: append([]string{
			"GIT_PROJECT_ROOT=" + base,
			"GIT_HTTP_EXPORT_ALL=1",
		}, env...),
		Stderr: stderr,
		Logger: log.New(stderr, "cgi: ", 0),
	}
	s := &HTTPServer{base: base, opts: o}
	s.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.serve(w, r, backend)
	}))
	if o.TLS {
		s.srv.StartTLS()
	} else {
		s.srv.Start()
	}
	s.URL = s.srv.URL
	t.Cleanup(func() {
		s.srv.Close()
		if t.Failed() && stderr.Len() > 0 {
			t.Logf("git-http-backend stderr:\n%s", stderr.String())
		}
	})
	return s
}

func (s *HTTPServer) serve(w http.ResponseWriter, r *http.Request, backend http.Handler) {
	rec := HTTPRequest{Method: r.Method, Path: r.URL.RequestURI()}
	user, pass, sent := r.BasicAuth()
	rec.SentAuth, rec.User = sent, user
	rec.AuthOK = s.opts.Password == "" || (sent && user == s.opts.User && pass == s.opts.Password)

	status := s.injected(r)
	switch {
	case status != 0:
		http.Error(w, http.StatusText(status), status)
	case !rec.AuthOK:
		status = http.StatusUnauthorized
		w.Header().Set("WWW-Authenticate", `Basic realm="git"`)
		http.Error(w, "authentication required", status)
	default:
		sw := &statusWriter{ResponseWriter: w}
		backend.ServeHTTP(sw, r)
		status = sw.status
		if status == 0 {
			status = http.StatusOK
		}
	}
	rec.Status = status
	s.mu.Lock()
	s.requests = append(s.requests, rec)
	s.mu.Unlock()
}

// injected returns the status a failure set up with FailNext or
// FailAlways answers r with, or 0.
func (s *HTTPServer) injected(r *http.Request) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.failures {
		f := &s.failures[i]
		if f.n == 0 || (f.match != nil && !f.match(r)) {
			continue
		}
		if f.n > 0 {
			f.n--
		}
		return f.status
	}
	return 0
}

// FailNext answers the next n requests that match (every request when
// match is nil) with status, before any credentials are checked, as an
// overloaded proxy in front of a git host does.
func (s *HTTPServer) FailNext(n, status int, match func(*http.Request) bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures = append(s.failures, failure{n: n, status: status, match: match})
}

// FailAlways answers every request with status from now on.
func (s *HTTPServer) FailAlways(status int) {
	s.FailNext(-1, status, nil)
}

// Heal forgets the failures set up so far.
func (s *HTTPServer) Heal() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failures = nil
}

// Requests returns the requests received so far, in order.
func (s *HTTPServer) Requests() []HTTPRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]HTTPRequest(nil), s.requests...)
}

// Reset forgets the requests received so far.
func (s *HTTPServer) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = nil
}

// RepoURL returns r's URL; r must lie below the served directory.
func (s *HTTPServer) RepoURL(t testing.TB, r *Repo) string {
	t.Helper()
	rel, err := filepath.Rel(s.base, r.Dir)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		t.Fatalf("%s is not below %s", r.Dir, s.base)
	}
	return s.URL + "/" + filepath.ToSlash(rel)
}

var trustOnce sync.Once

// TrustTLS makes go-git's https transport trust cert, the certificate
// every TLS HTTPServer presents. It installs, once per process, a go-git
// http client over a clone of http.DefaultTransport (what go-git uses by
// default) whose roots are the system's plus cert: the same transport code
// as in production, but a certificate meshc would otherwise reject.
func TrustTLS(cert *x509.Certificate) {
	trustOnce.Do(func() {
		roots, err := x509.SystemCertPool()
		if err != nil || roots == nil {
			roots = x509.NewCertPool()
		}
		roots.AddCert(cert)
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.TLSClientConfig = &tls.Config{RootCAs: roots}
		client.InstallProtocol("https", githttp.NewClient(&http.Client{Transport: tr}))
	})
}

// Certificate returns the certificate a TLS server presents, for a client
// to trust; nil for plain HTTP. Every TLS HTTPServer presents the same one.
func (s *HTTPServer) Certificate() *x509.Certificate {
	return s.srv.Certificate()
}

// statusWriter records the status a handler answers.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// lockedBuffer is a bytes.Buffer safe for concurrent writers.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Len()
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
