package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	gh "github.com/google/go-github/v60/github"
)

// Options tunes NewClient. The zero value is what the CLI uses.
type Options struct {
	// HTTPClient makes the requests; nil means a default client.
	HTTPClient *http.Client
	// BaseURL, when set, replaces the API URL of the environment, as is:
	// tests point it at an httptest server ("http://127.0.0.1:1234/").
	BaseURL string
	// MaxTries is how many times a call is tried when rate limited or
	// answered with a 5xx (default 4).
	MaxTries int
	// RetryDelay is the first wait between tries, doubled at each retry
	// (default 1s).
	RetryDelay time.Duration
	// MaxRetryWait caps any wait, including one asked for by Retry-After
	// or a rate limit's reset time (default 60s).
	MaxRetryWait time.Duration
	// Timeout bounds each request, its answer read whole included
	// (default DefaultTimeout): an API that accepts and never answers
	// cannot hold meshc.
	Timeout time.Duration
	// User is the login of the token's account, whose comment is the
	// sticky one; empty asks GitHub (GraphQL viewer).
	User string
}

// DefaultTimeout bounds each GitHub API request.
const DefaultTimeout = 30 * time.Second

// Client publishes reports to GitHub through go-github.
type Client struct {
	gh       *gh.Client
	tries    int
	delay    time.Duration
	maxWait  time.Duration
	now      func() time.Time
	sleep    func(ctx context.Context, d time.Duration) error // tests record waits
	annBatch int                                              // annotations per request
	// user is Options.User; viewer the login GitHub gave, or viewerErr
	// why it gave none (asked once).
	user      string
	viewer    string
	viewerErr error
}

// NewClient returns a client for env's API, authenticated with its token:
// github.com's API, or a GitHub Enterprise Server's when env.APIURL is
// another.
func NewClient(env *Env, o Options) (*Client, error) {
	hc := &http.Client{}
	if o.HTTPClient != nil {
		copied := *o.HTTPClient
		hc = &copied
	}
	if o.Timeout > 0 {
		hc.Timeout = o.Timeout
	} else if hc.Timeout == 0 {
		hc.Timeout = DefaultTimeout
	}
	c := gh.NewClient(hc).WithAuthToken(env.Token)
	c.UserAgent = "meshc"
	switch {
	case o.BaseURL != "":
		u, err := url.Parse(o.BaseURL)
		if err != nil {
			return nil, fmt.Errorf("GitHub base URL %q: %v", o.BaseURL, err)
		}
		if !strings.HasSuffix(u.Path, "/") {
			u.Path += "/"
		}
		c.BaseURL = u
	case env.APIURL != "" && strings.TrimRight(env.APIURL, "/") != PublicAPIURL:
		api := strings.TrimRight(env.APIURL, "/")
		uploads := strings.TrimSuffix(api, "/api/v3") + "/api/uploads"
		var err error
		if c, err = c.WithEnterpriseURLs(api, uploads); err != nil {
			return nil, fmt.Errorf("GITHUB_API_URL %q: %v", env.APIURL, err)
		}
	}
	cl := &Client{
		gh:       c,
		tries:    o.MaxTries,
		delay:    o.RetryDelay,
		maxWait:  o.MaxRetryWait,
		now:      time.Now,
		sleep:    sleepCtx,
		annBatch: maxAnnotationsPerRequest,
		user:     o.User,
	}
	if cl.tries <= 0 {
		cl.tries = 4
	}
	if cl.delay <= 0 {
		cl.delay = time.Second
	}
	if cl.maxWait <= 0 {
		cl.maxWait = time.Minute
	}
	return cl, nil
}

// BaseURL is the API URL requests go to.
func (c *Client) BaseURL() string { return c.gh.BaseURL.String() }

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// CallError is a GitHub API call that failed; Call says which, e.g.
// "creating check run on acme/orders@1a2b3c".
type CallError struct {
	Call string
	Err  error
}

func (e *CallError) Error() string { return e.Call + ": " + describe(e.Err) }

func (e *CallError) Unwrap() error { return e.Err }

// describe is an API error without go-github's method and URL, which the
// call's name already says better: "422 Validation Failed: ...".
func describe(err error) string {
	var er *gh.ErrorResponse
	if errors.As(err, &er) && er.Response != nil {
		s := strconv.Itoa(er.Response.StatusCode)
		if er.Message != "" {
			s += " " + er.Message
		}
		var details []string
		for _, e := range er.Errors {
			switch {
			case e.Message != "":
				details = append(details, e.Message)
			case e.Code != "":
				details = append(details, fmt.Sprintf("%s %s.%s", e.Code, e.Resource, e.Field))
			}
		}
		if len(details) > 0 {
			s += ": " + strings.Join(details, "; ")
		}
		return s
	}
	return err.Error()
}

// call runs fn, retrying it on rate limits, 5xx responses and transport
// errors, and names call in the error it returns. fn may itself return a
// *CallError naming a more precise call.
func (c *Client) call(ctx context.Context, call string, fn func() error) error {
	var err error
	for try := 1; ; try++ {
		if err = fn(); err == nil {
			return nil
		}
		wait, ok := c.retryWait(err, try)
		if !ok || try >= c.tries || ctx.Err() != nil {
			break
		}
		if serr := c.sleep(ctx, wait); serr != nil {
			break
		}
	}
	var ce *CallError
	if errors.As(err, &ce) {
		return ce
	}
	return &CallError{Call: call, Err: err}
}

// retryWait says whether err is worth another try, and after how long.
func (c *Client) retryWait(err error, try int) (time.Duration, bool) {
	backoff := min(c.delay<<(try-1), c.maxWait)
	var rl *gh.RateLimitError
	var abuse *gh.AbuseRateLimitError
	var er *gh.ErrorResponse
	switch {
	case errors.As(err, &rl):
		// go-github refuses to call again before the reset time, so wait
		// for that too.
		d, ok := retryAfter(rl.Response)
		if !rl.Rate.Reset.IsZero() {
			d, ok = max(d, rl.Rate.Reset.Sub(c.now())+time.Second), true
		}
		if !ok {
			return backoff, true
		}
		return c.capWait(d), true
	case errors.As(err, &abuse):
		if abuse.RetryAfter != nil {
			return c.capWait(*abuse.RetryAfter), true
		}
		// GitHub asks for at least a minute when it does not say.
		return c.maxWait, true
	case errors.As(err, &er) && er.Response != nil:
		code := er.Response.StatusCode
		d, hasRetryAfter := retryAfter(er.Response)
		switch {
		case code == http.StatusTooManyRequests || code == http.StatusForbidden && hasRetryAfter:
			if hasRetryAfter {
				return c.capWait(d), true
			}
			return backoff, true
		case code >= 500:
			if hasRetryAfter {
				return c.capWait(d), true
			}
			return backoff, true
		}
		return 0, false
	}
	var ue *url.Error
	if errors.As(err, &ue) && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
		return backoff, true
	}
	return 0, false
}

func (c *Client) capWait(d time.Duration) time.Duration {
	return max(0, min(d, c.maxWait))
}

// retryAfter reads a Retry-After header: seconds or an HTTP date.
func retryAfter(r *http.Response) (time.Duration, bool) {
	if r == nil {
		return 0, false
	}
	v := strings.TrimSpace(r.Header.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return time.Duration(n) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return time.Until(t), true
	}
	return 0, false
}

// forbidden reports whether err says the token may not do what was asked:
// a read-only token, or a pull request from a fork (403 "Resource not
// accessible by integration", or 404 where the token cannot see).
func forbidden(err error) bool {
	var er *gh.ErrorResponse
	if !errors.As(err, &er) || er.Response == nil {
		return false
	}
	return er.Response.StatusCode == http.StatusForbidden || er.Response.StatusCode == http.StatusNotFound
}
