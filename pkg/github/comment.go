package github

import (
	"context"
	"fmt"
	"strings"

	gh "github.com/google/go-github/v60/github"
)

// publishComment makes body the pull request's sticky comment: meshc's
// own comment starting with marker (its author is the token's account) is
// edited, or a new one created when there is none or it cannot be edited.
// A marker in anyone else's comment is ignored: it could say anything.
// It returns the comment's URL, and a note when meshc could not tell
// which comments are its own (it then posts a new one).
//
// A failed try is tried again from the search, so a create that reached
// GitHub before its response was lost is found, not made twice.
func (c *Client) publishComment(ctx context.Context, env *Env, marker, body string) (string, string, error) {
	where := fmt.Sprintf("%s#%d", env.Repository, env.PullRequest)
	note := ""
	self, err := c.identity(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return "", "", err
		}
		note = fmt.Sprintf("cannot tell meshc's own comment from others' (%v): a new comment is posted; name the token's account with --github-user", err)
	}
	var url string
	err = c.call(ctx, "posting the report comment on "+where, func() error {
		var found *gh.IssueComment
		if self != "" {
			var err error
			if found, err = c.findComment(ctx, env, marker, self); err != nil {
				return &CallError{Call: "listing comments on " + where, Err: err}
			}
		}
		if found != nil {
			url = found.GetHTMLURL()
			if found.GetBody() == body {
				return nil
			}
			cm, _, err := c.gh.Issues.EditComment(ctx, env.Owner, env.Repo, found.GetID(), &gh.IssueComment{Body: gh.String(body)})
			if err == nil {
				url = cm.GetHTMLURL()
				return nil
			}
			if !forbidden(err) {
				return &CallError{Call: fmt.Sprintf("editing comment %d on %s", found.GetID(), where), Err: err}
			}
			// Refused (locked, deleted, not ours after all): a stale
			// report must not stand, so a new one is posted below it.
			note = fmt.Sprintf("comment %d could not be edited (%s): a new comment is posted", found.GetID(), describe(err))
		}
		cm, _, err := c.gh.Issues.CreateComment(ctx, env.Owner, env.Repo, env.PullRequest, &gh.IssueComment{Body: gh.String(body)})
		if err != nil {
			return &CallError{Call: "creating comment on " + where, Err: err}
		}
		url = cm.GetHTMLURL()
		return nil
	})
	return url, note, err
}

// findComment returns the pull request's first comment by author that
// starts with marker, or nil, reading every page of comments until it is
// found.
func (c *Client) findComment(ctx context.Context, env *Env, marker, author string) (*gh.IssueComment, error) {
	opts := &gh.IssueListCommentsOptions{ListOptions: gh.ListOptions{PerPage: 100}}
	for {
		comments, resp, err := c.gh.Issues.ListComments(ctx, env.Owner, env.Repo, env.PullRequest, opts)
		if err != nil {
			return nil, err
		}
		for _, cm := range comments {
			if strings.HasPrefix(cm.GetBody(), marker) && sameLogin(cm.GetUser().GetLogin(), author) {
				return cm, nil
			}
		}
		if resp.NextPage == 0 {
			return nil, nil
		}
		opts.Page = resp.NextPage
	}
}
