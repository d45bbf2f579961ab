package github

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// recordWaits makes c note its waits instead of sleeping.
func recordWaits(c *Client) *[]time.Duration {
	var waits []time.Duration
	c.sleep = func(_ context.Context, d time.Duration) error {
		waits = append(waits, d)
		return nil
	}
	return &waits
}

// failFirst answers the first n requests with fail, then succeeds.
func failFirst(n int32, fail http.HandlerFunc, ok http.HandlerFunc) (http.HandlerFunc, *atomic.Int32) {
	var calls atomic.Int32
	return func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) <= n {
			fail(w, r)
			return
		}
		ok(w, r)
	}, &calls
}

func created(w http.ResponseWriter, r *http.Request) {
	respond(w, 201, map[string]any{"id": 7, "html_url": "https://github.com/acme/orders-data/runs/7"})
}

func TestRetries(t *testing.T) {
	for _, tc := range []struct {
		name    string
		fail    http.HandlerFunc
		maxWait time.Duration
		waits   []time.Duration
	}{
		{"502", func(w http.ResponseWriter, r *http.Request) {
			respond(w, 502, map[string]any{"message": "Server Error"})
		}, time.Minute, []time.Duration{time.Millisecond}},
		{"primary rate limit with Retry-After", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-RateLimit-Remaining", "0")
			w.Header().Set("Retry-After", "3")
			respond(w, 403, map[string]any{"message": "API rate limit exceeded"})
		}, time.Minute, []time.Duration{3 * time.Second}},
		{"Retry-After over the cap", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("X-RateLimit-Remaining", "0")
			w.Header().Set("Retry-After", "3600")
			respond(w, 403, map[string]any{"message": "API rate limit exceeded"})
		}, time.Minute, []time.Duration{time.Minute}},
		{"secondary rate limit", func(w http.ResponseWriter, r *http.Request) {
			respond(w, 403, map[string]any{"message": "You have exceeded a secondary rate limit",
				"documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"})
		}, 30 * time.Second, []time.Duration{30 * time.Second}},
		{"429", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "2")
			respond(w, 429, map[string]any{"message": "Too Many Requests"})
		}, time.Minute, []time.Duration{2 * time.Second}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, mux, env, _ := setup(t)
			c.maxWait = tc.maxWait
			waits := recordWaits(c)
			h, calls := failFirst(1, tc.fail, created)
			mux.HandleFunc("POST /repos/acme/orders-data/check-runs", h)
			mux.HandleFunc("PATCH /repos/acme/orders-data/check-runs/7", created)
			noComments(t, mux)
			res, err := c.Publish(context.Background(), env, Report{Kind: "plan", Plan: breakingPlan()})
			if err != nil {
				t.Fatal(err)
			}
			if calls.Load() != 2 || res.CheckRunURL == "" {
				t.Errorf("%d tries, check run %q; want 2 tries and a check run", calls.Load(), res.CheckRunURL)
			}
			if len(*waits) != len(tc.waits) || (*waits)[0] != tc.waits[0] {
				t.Errorf("waited %v, want %v", *waits, tc.waits)
			}
		})
	}
}

// TestRetriesGiveUp tries a call four times, backing off, then names it.
func TestRetriesGiveUp(t *testing.T) {
	c, mux, env, _ := setup(t)
	waits := recordWaits(c)
	h, calls := failFirst(100, func(w http.ResponseWriter, r *http.Request) {
		respond(w, 503, map[string]any{"message": "Service Unavailable"})
	}, created)
	mux.HandleFunc("POST /repos/acme/orders-data/check-runs", h)
	noComments(t, mux)
	_, err := c.Publish(context.Background(), env, Report{Kind: "plan", Plan: breakingPlan()})
	want := "creating check run on acme/orders-data@" + headSHA + ": 503 Service Unavailable"
	if err == nil || err.Error() != want {
		t.Errorf("error %v, want %s", err, want)
	}
	if calls.Load() != 4 {
		t.Errorf("%d tries, want 4", calls.Load())
	}
	want2 := []time.Duration{time.Millisecond, 2 * time.Millisecond, 4 * time.Millisecond}
	if len(*waits) != 3 || (*waits)[0] != want2[0] || (*waits)[1] != want2[1] || (*waits)[2] != want2[2] {
		t.Errorf("waited %v, want %v", *waits, want2)
	}
}

// TestRetriedCommentNotDuplicated retries a create that failed with a 502
// after GitHub made the comment: the retry finds it and edits it.
func TestRetriedCommentNotDuplicated(t *testing.T) {
	c, mux, env, _ := setup(t)
	acceptChecks(mux)
	var posted atomic.Bool
	var creates, edits atomic.Int32
	mux.HandleFunc("GET /repos/acme/orders-data/issues/12/comments", func(w http.ResponseWriter, r *http.Request) {
		if posted.Load() {
			respond(w, 200, []map[string]any{{"id": 3, "body": Marker("acme") + "\nold", "user": bot}})
			return
		}
		respond(w, 200, []any{})
	})
	mux.HandleFunc("POST /repos/acme/orders-data/issues/12/comments", func(w http.ResponseWriter, r *http.Request) {
		creates.Add(1)
		posted.Store(true)
		respond(w, 502, map[string]any{"message": "Bad Gateway"})
	})
	mux.HandleFunc("PATCH /repos/acme/orders-data/issues/comments/3", func(w http.ResponseWriter, r *http.Request) {
		edits.Add(1)
		respond(w, 200, map[string]any{"id": 3, "html_url": "u"})
	})
	if _, err := c.Publish(context.Background(), env, Report{Kind: "plan", Mesh: "acme", Plan: breakingPlan()}); err != nil {
		t.Fatal(err)
	}
	if creates.Load() != 1 || edits.Load() != 1 {
		t.Errorf("%d creates, %d edits; want 1 and 1", creates.Load(), edits.Load())
	}
}

// TestNotRetried returns a 422 at once, naming the call, after still
// reporting what it could.
func TestNotRetried(t *testing.T) {
	c, mux, env, stdout := setup(t)
	var calls atomic.Int32
	mux.HandleFunc("POST /repos/acme/orders-data/check-runs", func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		respond(w, 422, map[string]any{"message": "Validation Failed",
			"errors": []map[string]any{{"resource": "CheckRun", "code": "invalid", "field": "head_sha"}}})
	})
	noComments(t, mux)
	res, err := c.Publish(context.Background(), env, Report{Kind: "validate", Diagnostics: located(1)})
	want := "creating check run on acme/orders-data@" + headSHA + ": 422 Validation Failed: invalid CheckRun.head_sha"
	if err == nil || err.Error() != want {
		t.Fatalf("error %v, want %s", err, want)
	}
	var ce *CallError
	if !errors.As(err, &ce) || ce.Call != "creating check run on acme/orders-data@"+headSHA {
		t.Errorf("error %#v is not a CallError naming the call", err)
	}
	if calls.Load() != 1 || res.Degraded {
		t.Errorf("%d tries, degraded %v; want 1 try, not degraded", calls.Load(), res.Degraded)
	}
	if res.CommentURL == "" || !strings.HasPrefix(stdout.String(), "::error file=mesh/p000.cue,line=1,col=2,title=schema::problem 0") {
		t.Errorf("the comment or the workflow commands are missing: %+v\n%s", res, stdout)
	}
}
