package github

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	gh "github.com/google/go-github/v60/github"
)

// TestStickyCommentCreateThenEdit publishes twice: the first run creates
// the comment, the second edits that same comment.
func TestStickyCommentCreateThenEdit(t *testing.T) {
	c, mux, env, _ := setup(t)
	acceptChecks(mux)
	var mu sync.Mutex
	comments := []map[string]any{{"id": 5, "body": "LGTM"}} // someone else's
	var creates, edits []string
	mux.HandleFunc("GET /repos/acme/orders-data/issues/12/comments", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if got := r.URL.Query().Get("per_page"); got != "100" {
			t.Errorf("per_page = %q, want 100", got)
		}
		respond(w, 200, comments)
	})
	mux.HandleFunc("POST /repos/acme/orders-data/issues/12/comments", func(w http.ResponseWriter, r *http.Request) {
		var cm gh.IssueComment
		decode(t, r, &cm)
		mu.Lock()
		defer mu.Unlock()
		creates = append(creates, cm.GetBody())
		comments = append(comments, map[string]any{"id": 99, "body": cm.GetBody(), "user": bot})
		respond(w, 201, map[string]any{"id": 99, "html_url": "https://github.com/acme/orders-data/pull/12#issuecomment-99"})
	})
	mux.HandleFunc("PATCH /repos/acme/orders-data/issues/comments/{id}", func(w http.ResponseWriter, r *http.Request) {
		if id := r.PathValue("id"); id != "99" {
			t.Errorf("edited comment %s, want 99", id)
		}
		var cm gh.IssueComment
		decode(t, r, &cm)
		mu.Lock()
		defer mu.Unlock()
		edits = append(edits, cm.GetBody())
		comments[1]["body"] = cm.GetBody()
		respond(w, 200, map[string]any{"id": 99, "html_url": "https://github.com/acme/orders-data/pull/12#issuecomment-99"})
	})

	p := breakingPlan()
	res, err := c.Publish(context.Background(), env, Report{Kind: "plan", Mesh: "acme", Plan: p})
	if err != nil {
		t.Fatal(err)
	}
	p.Changes[0].After.Version = "3.1.0" // a new commit on the pull request
	res2, err := c.Publish(context.Background(), env, Report{Kind: "plan", Mesh: "acme", Plan: p})
	if err != nil {
		t.Fatal(err)
	}
	// The same body again is left as it is.
	if _, err := c.Publish(context.Background(), env, Report{Kind: "plan", Mesh: "acme", Plan: p}); err != nil {
		t.Fatal(err)
	}

	if len(creates) != 1 || len(edits) != 1 {
		t.Fatalf("%d creates and %d edits, want 1 and 1", len(creates), len(edits))
	}
	for _, body := range []string{creates[0], edits[0]} {
		if !strings.HasPrefix(body, "<!-- meshc:report mesh=acme -->\n## meshc plan for acme\n") {
			t.Errorf("body does not start with the marker and title:\n%.200s", body)
		}
		for _, want := range []string{"@acme/finance-analytics", "@acme/marketing", "field-removed", "[workflow run](https://github.com/acme/orders-data/actions/runs/4242)"} {
			if !strings.Contains(body, want) {
				t.Errorf("body lacks %q", want)
			}
		}
	}
	if !strings.Contains(edits[0], "3.1.0") {
		t.Error("the edit does not carry the new plan")
	}
	want := "https://github.com/acme/orders-data/pull/12#issuecomment-99"
	if res.CommentURL != want || res2.CommentURL != want {
		t.Errorf("CommentURL = %q, %q; want %q", res.CommentURL, res2.CommentURL, want)
	}
}

// bot is the author REST names for comments made with Actions' token.
var bot = map[string]any{"login": "github-actions[bot]"}

// TestStickyCommentPagination finds the marker on the third page of
// comments, following the Link headers, past another mesh's comment and
// past someone else's comment that carries the marker.
func TestStickyCommentPagination(t *testing.T) {
	c, mux, env, _ := setup(t)
	acceptChecks(mux)
	var pages []string
	mux.HandleFunc("GET /repos/acme/orders-data/issues/12/comments", func(w http.ResponseWriter, r *http.Request) {
		page := r.URL.Query().Get("page")
		pages = append(pages, page)
		link := func(n int) string {
			return fmt.Sprintf(`<%s/repos/acme/orders-data/issues/12/comments?per_page=100&page=%d>; rel="next", <%[1]s/repos/acme/orders-data/issues/12/comments?per_page=100&page=3>; rel="last"`, "http://"+r.Host, n)
		}
		var list []map[string]any
		switch page {
		case "":
			w.Header().Set("Link", link(2))
			list = []map[string]any{{"id": 101, "body": "<!-- meshc:report mesh=other -->\n## meshc plan for other"}}
		case "2":
			w.Header().Set("Link", link(3))
			list = []map[string]any{
				{"id": 201, "body": "quoting:\n<!-- meshc:report mesh=acme -->", "user": bot},
				// Someone else's comment with the marker: never meshc's.
				{"id": 202, "body": "<!-- meshc:report mesh=acme -->\n## meshc plan for acme\n**No changes**", "user": map[string]any{"login": "mallory"}},
			}
		case "3":
			list = []map[string]any{{"id": 301, "body": "nice"}, {"id": 302, "body": "<!-- meshc:report mesh=acme -->\n## old report", "user": bot}}
		default:
			t.Errorf("asked for page %q", page)
		}
		respond(w, 200, list)
	})
	mux.HandleFunc("POST /repos/acme/orders-data/issues/12/comments", func(w http.ResponseWriter, r *http.Request) {
		t.Error("created a comment: the marker is on page 3")
		respond(w, 201, map[string]any{"id": 1})
	})
	var edited []string
	mux.HandleFunc("PATCH /repos/acme/orders-data/issues/comments/{id}", func(w http.ResponseWriter, r *http.Request) {
		edited = append(edited, r.PathValue("id"))
		respond(w, 200, map[string]any{"id": 302, "html_url": "https://github.com/acme/orders-data/pull/12#issuecomment-302"})
	})

	res, err := c.Publish(context.Background(), env, Report{Kind: "plan", Mesh: "acme", Plan: breakingPlan()})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(pages, ","); got != ",2,3" {
		t.Errorf("pages read: %q, want first, 2, 3", got)
	}
	if len(edited) != 1 || edited[0] != "302" {
		t.Errorf("edited %v, want [302]", edited)
	}
	if res.CommentURL != "https://github.com/acme/orders-data/pull/12#issuecomment-302" {
		t.Errorf("CommentURL = %q", res.CommentURL)
	}
}

// TestCommentBodyCapped publishes a plan whose report is far over
// GitHub's limits: the comment and the check run summary are cut down to
// fit and still posted, while the job summary and the report file hold
// more.
func TestCommentBodyCapped(t *testing.T) {
	c, mux, env, _ := setup(t)
	var body, summary string
	mux.HandleFunc("GET /repos/acme/orders-data/issues/12/comments", func(w http.ResponseWriter, r *http.Request) {
		respond(w, 200, []any{})
	})
	mux.HandleFunc("POST /repos/acme/orders-data/issues/12/comments", func(w http.ResponseWriter, r *http.Request) {
		var cm gh.IssueComment
		decode(t, r, &cm)
		body = cm.GetBody()
		respond(w, 201, map[string]any{"id": 1})
	})
	mux.HandleFunc("POST /repos/acme/orders-data/check-runs", func(w http.ResponseWriter, r *http.Request) {
		respond(w, 201, map[string]any{"id": 7})
	})
	mux.HandleFunc("PATCH /repos/acme/orders-data/check-runs/7", func(w http.ResponseWriter, r *http.Request) {
		var o gh.UpdateCheckRunOptions
		decode(t, r, &o)
		summary = o.Output.GetSummary()
		respond(w, 200, map[string]any{"id": 7})
	})

	p := hugePlan(3000)
	res, err := c.Publish(context.Background(), env, Report{Kind: "plan", Mesh: "acme", Plan: p})
	if err != nil {
		t.Fatal(err)
	}
	if n := utf8.RuneCountInString(body); n == 0 || n > 65536 {
		t.Errorf("comment of %d characters, want 1..65536", n)
	}
	if n := utf8.RuneCountInString(summary); n == 0 || n > 65535 {
		t.Errorf("check run summary of %d characters, want 1..65535", n)
	}
	if !strings.HasPrefix(body, Marker("acme")+"\n") || !strings.Contains(body, "[workflow run]") {
		t.Errorf("capped comment lost its marker or footer:\n%.300s", body)
	}
	if !strings.Contains(body, "products not shown") {
		t.Error("the capped comment does not say that products were left out")
	}
	full := readFile(t, res.ReportPath)
	if len(full) <= 2*65536 || !strings.Contains(full, "sales.product_02999") {
		t.Errorf("the report file has %d bytes and not every product", len(full))
	}
	if got := readFile(t, env.StepSummary); !JobSummary.Fits(got) || len(got) <= 65536 {
		t.Errorf("job summary of %d bytes, want more than a comment and at most %d", len(got), JobSummary.Max)
	}
}

// TestValidateReport is the report of a run without a plan: the
// diagnostics as compiler output, capped like any comment.
func TestValidateReport(t *testing.T) {
	r := Report{Kind: "validate", Mesh: "acme", Diagnostics: located(3)}
	r.Diagnostics[1].Severity = "warning"
	r.Diagnostics[2].Message = "has ``` fences"
	got := r.markdown(Marker("acme"), CommentBody.Max)
	want := "<!-- meshc:report mesh=acme -->\n## meshc validate for acme\n\n**❌ 2 errors and 1 warning**\n\n" +
		"````text\nmesh/p000.cue:1:2: schema: problem 0\nmesh/p002.cue:3:2: schema: has ``` fences\nmesh/p001.cue:2:2: schema: warning: problem 1\n````\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}

	r = Report{Kind: "validate", Mesh: "acme", Diagnostics: located(5000)}
	got = r.markdown(Marker("acme"), 4000)
	if len(got) > 4000 || !strings.Contains(got, "more: see the job summary") || !strings.HasSuffix(got, "```\n") {
		t.Errorf("capped validate report of %d bytes:\n%s", len(got), got)
	}
	if s := r.summary(); s != "5000 errors" {
		t.Errorf("summary %q", s)
	}
	if s := (&Report{Kind: "validate"}).summary(); s != "Valid" {
		t.Errorf("summary %q", s)
	}
}

// TestCallerMarkdown keeps the caller's report where it fits and renders
// the plan again where it does not.
func TestCallerMarkdown(t *testing.T) {
	r := Report{Kind: "apply", Mesh: "acme", Plan: breakingPlan(), Markdown: "## Applied\n\nserial 8\n"}
	if got := r.markdown(Marker("acme"), CommentBody.Max); got != Marker("acme")+"\n## Applied\n\nserial 8\n" {
		t.Errorf("got %q", got)
	}
	r.Markdown = strings.Repeat("x\n", 40000)
	if got := r.markdown(Marker("acme"), CommentBody.Max); !strings.Contains(got, "## meshc apply for acme") || len(got) > CommentBody.Max {
		t.Errorf("a caller's report over the limit was not rendered again from the plan:\n%.200s", got)
	}
	r.Plan = nil
	if got := r.markdown(Marker("acme"), 1000); len(got) > 1000 || !strings.Contains(got, "cut here") {
		t.Errorf("a caller's report over the limit was not cut:\n%s", got)
	}
}
