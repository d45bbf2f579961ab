// Package githubtest is a fake of the GitHub REST API for meshc's tests:
// the issue comments and check runs that github.Publish uses, kept in
// memory, with GitHub's limits (65,536-character comments, 50 annotations
// per request), pagination, and a read-only mode like a fork's token.
//
// It serves the API at its root and under /api/v3/, as a GitHub Enterprise
// Server does, so a test may set GITHUB_API_URL to either.
package githubtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"unicode/utf8"
)

// Server is a fake GitHub API. Its methods are safe to call while
// requests run.
type Server struct {
	*httptest.Server

	mu       sync.Mutex
	readOnly bool
	// viewer is the token's login as GraphQL names it; graphqlRefused
	// and editRefused make those requests fail with 403.
	viewer         string
	graphqlRefused bool
	editRefused    bool
	perPage        int
	nextID         int64
	comments       []*Comment
	checkRuns      []*CheckRun
	requests       []string
}

// Comment is an issue or pull-request comment.
type Comment struct {
	ID    int64
	Issue int
	Body  string
	Edits int
	// Author is "github-actions[bot]" for comments made through the API.
	Author string
}

// CheckRun is a check run as the fake recorded it.
type CheckRun struct {
	ID          int64
	Name        string
	HeadSHA     string
	Status      string
	Conclusion  string
	Title       string
	Summary     string
	Annotations []Annotation
	// Batches is the number of annotations of every request that sent
	// some, in order.
	Batches []int
}

// Annotation is a check run annotation.
type Annotation struct {
	Path      string `json:"path"`
	StartLine int    `json:"start_line"`
	EndLine   int    `json:"end_line"`
	Level     string `json:"annotation_level"`
	Message   string `json:"message"`
	Title     string `json:"title"`
}

// NewServer starts a fake GitHub API; Close it when done.
func NewServer() *Server {
	s := &Server{perPage: 30, nextID: 1000, viewer: "github-actions"}
	api := http.NewServeMux()
	api.HandleFunc("GET /repos/{owner}/{repo}/issues/{number}/comments", s.listComments)
	api.HandleFunc("POST /repos/{owner}/{repo}/issues/{number}/comments", s.createComment)
	api.HandleFunc("PATCH /repos/{owner}/{repo}/issues/comments/{id}", s.editComment)
	api.HandleFunc("POST /repos/{owner}/{repo}/check-runs", s.createCheckRun)
	api.HandleFunc("PATCH /repos/{owner}/{repo}/check-runs/{id}", s.updateCheckRun)
	root := http.NewServeMux()
	root.Handle("/api/v3/", http.StripPrefix("/api/v3", api))
	root.Handle("/", api)
	// GraphQL is beside the REST API: /graphql, and /api/graphql on a
	// GitHub Enterprise Server.
	root.HandleFunc("POST /graphql", s.graphql)
	root.HandleFunc("POST /api/graphql", s.graphql)
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.requests = append(s.requests, r.Method+" "+r.URL.Path)
		s.mu.Unlock()
		root.ServeHTTP(w, r)
	}))
	return s
}

// APIURL is the server's API as a GitHub Enterprise Server's URL, for
// GITHUB_API_URL.
func (s *Server) APIURL() string { return s.URL + "/api/v3" }

// SetReadOnly makes every write fail as with a fork's token: 403
// "Resource not accessible by integration".
func (s *Server) SetReadOnly(ro bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.readOnly = ro
}

// SetViewer sets the login GraphQL's viewer answers (default
// "github-actions", as for Actions' GITHUB_TOKEN, whose comments REST
// names "github-actions[bot]").
func (s *Server) SetViewer(login string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.viewer = login
}

// SetGraphQLRefused makes GraphQL requests fail with 403.
func (s *Server) SetGraphQLRefused(refused bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.graphqlRefused = refused
}

// SetEditRefused makes every comment edit fail with 403 (a locked
// conversation, a token that may create but not edit).
func (s *Server) SetEditRefused(refused bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.editRefused = refused
}

// graphql answers the one query meshc asks, viewer { login }.
func (s *Server) graphql(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Query string `json:"query"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		apiError(w, http.StatusBadRequest, "Problems parsing JSON")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.graphqlRefused {
		apiError(w, http.StatusForbidden, "Resource not accessible by integration")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"data": map[string]any{"viewer": map[string]any{"login": s.viewer}}})
}

// AddComment adds a comment by someone else to issue n, as if posted
// before the test; it returns its ID.
func (s *Server) AddComment(n int, author, body string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextID++
	s.comments = append(s.comments, &Comment{ID: s.nextID, Issue: n, Body: body, Author: author})
	return s.nextID
}

// Comments returns copies of issue n's comments, oldest first.
func (s *Server) Comments(n int) []Comment {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Comment
	for _, c := range s.comments {
		if c.Issue == n {
			out = append(out, *c)
		}
	}
	return out
}

// CheckRuns returns copies of the check runs, oldest first.
func (s *Server) CheckRuns() []CheckRun {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []CheckRun
	for _, r := range s.checkRuns {
		c := *r
		c.Annotations = append([]Annotation(nil), r.Annotations...)
		c.Batches = append([]int(nil), r.Batches...)
		out = append(out, c)
	}
	return out
}

// Requests returns every request made so far as "METHOD /path".
func (s *Server) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.requests...)
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}

func apiError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, map[string]any{"message": msg, "documentation_url": "https://docs.github.com/rest"})
}

// denied answers a write of a read-only token; s.mu is held.
func (s *Server) denied(w http.ResponseWriter) bool {
	if s.readOnly {
		apiError(w, http.StatusForbidden, "Resource not accessible by integration")
	}
	return s.readOnly
}

func (s *Server) commentJSON(r *http.Request, c *Comment) map[string]any {
	return map[string]any{
		"id":       c.ID,
		"body":     c.Body,
		"html_url": fmt.Sprintf("https://github.test/%s/%s/pull/%d#issuecomment-%d", r.PathValue("owner"), r.PathValue("repo"), c.Issue, c.ID),
		"user":     map[string]any{"login": c.Author, "type": "Bot"},
	}
}

func (s *Server) listComments(w http.ResponseWriter, r *http.Request) {
	n, _ := strconv.Atoi(r.PathValue("number"))
	perPage, _ := strconv.Atoi(r.URL.Query().Get("per_page"))
	if perPage <= 0 || perPage > 100 {
		perPage = s.perPage
	}
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	page = max(page, 1)
	s.mu.Lock()
	defer s.mu.Unlock()
	var all []*Comment
	for _, c := range s.comments {
		if c.Issue == n {
			all = append(all, c)
		}
	}
	start, end := min((page-1)*perPage, len(all)), min(page*perPage, len(all))
	if end < len(all) {
		next := *r.URL
		q := next.Query()
		q.Set("page", strconv.Itoa(page+1))
		next.RawQuery = q.Encode()
		w.Header().Set("Link", fmt.Sprintf(`<%s%s>; rel="next"`, s.URL, next.RequestURI()))
	}
	out := []map[string]any{}
	for _, c := range all[start:end] {
		out = append(out, s.commentJSON(r, c))
	}
	writeJSON(w, http.StatusOK, out)
}

type commentRequest struct {
	Body *string `json:"body"`
}

// validBody checks a comment body as GitHub does.
func validBody(w http.ResponseWriter, req commentRequest) bool {
	switch {
	case req.Body == nil || *req.Body == "":
		apiError(w, http.StatusUnprocessableEntity, "Validation Failed: body is missing")
		return false
	case utf8.RuneCountInString(*req.Body) > 65536:
		apiError(w, http.StatusUnprocessableEntity, "Validation Failed: Body is too long (maximum is 65536 characters)")
		return false
	}
	return true
}

func (s *Server) createComment(w http.ResponseWriter, r *http.Request) {
	n, _ := strconv.Atoi(r.PathValue("number"))
	var req commentRequest
	if !begin(s, w, r, &req) {
		return
	}
	defer s.mu.Unlock()
	if !validBody(w, req) {
		return
	}
	s.nextID++
	c := &Comment{ID: s.nextID, Issue: n, Body: *req.Body, Author: "github-actions[bot]"}
	s.comments = append(s.comments, c)
	writeJSON(w, http.StatusCreated, s.commentJSON(r, c))
}

func (s *Server) editComment(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	var req commentRequest
	if !begin(s, w, r, &req) {
		return
	}
	defer s.mu.Unlock()
	if !validBody(w, req) {
		return
	}
	if s.editRefused {
		apiError(w, http.StatusForbidden, "Resource not accessible by integration")
		return
	}
	for _, c := range s.comments {
		if c.ID == id {
			c.Body = *req.Body
			c.Edits++
			writeJSON(w, http.StatusOK, s.commentJSON(r, c))
			return
		}
	}
	apiError(w, http.StatusNotFound, "Not Found")
}

type checkRunRequest struct {
	Name       *string `json:"name"`
	HeadSHA    *string `json:"head_sha"`
	Status     *string `json:"status"`
	Conclusion *string `json:"conclusion"`
	Output     *struct {
		Title       *string      `json:"title"`
		Summary     *string      `json:"summary"`
		Annotations []Annotation `json:"annotations"`
	} `json:"output"`
}

// apply records req on run, checking it as GitHub does; s.mu is held.
func (s *Server) apply(w http.ResponseWriter, run *CheckRun, req checkRunRequest) bool {
	if req.Name != nil {
		if *req.Name == "" {
			apiError(w, http.StatusUnprocessableEntity, "Validation Failed: name is empty")
			return false
		}
		run.Name = *req.Name
	}
	if req.Status != nil {
		run.Status = *req.Status
	}
	if req.Conclusion != nil {
		run.Conclusion = *req.Conclusion
		run.Status = "completed"
	}
	if o := req.Output; o != nil {
		switch {
		case o.Title == nil || o.Summary == nil:
			apiError(w, http.StatusUnprocessableEntity, "Validation Failed: output needs a title and a summary")
			return false
		case utf8.RuneCountInString(*o.Summary) > 65535:
			apiError(w, http.StatusUnprocessableEntity, "Validation Failed: output.summary is too long (maximum is 65535 characters)")
			return false
		case len(o.Annotations) > 50:
			apiError(w, http.StatusUnprocessableEntity, "Validation Failed: Only 50 annotations are allowed per request")
			return false
		}
		run.Title, run.Summary = *o.Title, *o.Summary
		if len(o.Annotations) > 0 {
			run.Annotations = append(run.Annotations, o.Annotations...)
			run.Batches = append(run.Batches, len(o.Annotations))
		}
	}
	return true
}

func (s *Server) checkRunJSON(r *http.Request, run *CheckRun) map[string]any {
	return map[string]any{
		"id":         run.ID,
		"name":       run.Name,
		"head_sha":   run.HeadSHA,
		"status":     run.Status,
		"conclusion": run.Conclusion,
		"html_url":   fmt.Sprintf("https://github.test/%s/%s/runs/%d", r.PathValue("owner"), r.PathValue("repo"), run.ID),
	}
}

func (s *Server) createCheckRun(w http.ResponseWriter, r *http.Request) {
	var req checkRunRequest
	if !begin(s, w, r, &req) {
		return
	}
	defer s.mu.Unlock()
	if req.Name == nil || req.HeadSHA == nil || *req.HeadSHA == "" {
		apiError(w, http.StatusUnprocessableEntity, "Validation Failed: name and head_sha are required")
		return
	}
	s.nextID++
	run := &CheckRun{ID: s.nextID, HeadSHA: *req.HeadSHA, Status: "queued"}
	if !s.apply(w, run, req) {
		return
	}
	s.checkRuns = append(s.checkRuns, run)
	writeJSON(w, http.StatusCreated, s.checkRunJSON(r, run))
}

func (s *Server) updateCheckRun(w http.ResponseWriter, r *http.Request) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	var req checkRunRequest
	if !begin(s, w, r, &req) {
		return
	}
	defer s.mu.Unlock()
	for _, run := range s.checkRuns {
		if run.ID == id {
			if s.apply(w, run, req) {
				writeJSON(w, http.StatusOK, s.checkRunJSON(r, run))
			}
			return
		}
	}
	apiError(w, http.StatusNotFound, "Not Found")
}

// begin decodes a write request's body into req and takes s.mu, which the
// caller then releases. It answers the request itself and returns false,
// without the lock, for a body that is not JSON or a read-only token.
func begin[T any](s *Server, w http.ResponseWriter, r *http.Request, req *T) bool {
	if err := json.NewDecoder(r.Body).Decode(req); err != nil {
		apiError(w, http.StatusBadRequest, "Problems parsing JSON")
		return false
	}
	s.mu.Lock()
	if s.denied(w) {
		s.mu.Unlock()
		return false
	}
	return true
}
