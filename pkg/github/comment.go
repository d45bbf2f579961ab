package github

import (
	"context"
	"fmt"
	"strings"

	gh "github.com/google/go-github/v60/github"
)

// publishComment makes body the pull request's sticky comment: the one
// comment starting with marker is edited, or created when there is none.
// It returns the comment's URL.
//
// A failed try is tried again from the search, so a create that reached
// GitHub before its response was lost is found, not made twice.
func (c *Client) publishComment(ctx context.Context, env *Env, marker, body string) (string, error) {
	where := fmt.Sprintf("%s#%d", env.Repository, env.PullRequest)
	var url string
	err := c.call(ctx, "posting the report comment on "+where, func() error {
		found, err := c.findComment(ctx, env, marker)
		if err != nil {
			return &CallError{Call: "listing comments on " + where, Err: err}
		}
		if found != nil {
			url = found.GetHTMLURL()
			if found.GetBody() == body {
				return nil
			}
			cm, _, err := c.gh.Issues.EditComment(ctx, env.Owner, env.Repo, found.GetID(), &gh.IssueComment{Body: gh.String(body)})
			if err != nil {
				return &CallError{Call: fmt.Sprintf("editing comment %d on %s", found.GetID(), where), Err: err}
			}
			url = cm.GetHTMLURL()
			return nil
		}
		cm, _, err := c.gh.Issues.CreateComment(ctx, env.Owner, env.Repo, env.PullRequest, &gh.IssueComment{Body: gh.String(body)})
		if err != nil {
			return &CallError{Call: "creating comment on " + where, Err: err}
		}
		url = cm.GetHTMLURL()
		return nil
	})
	return url, err
}

// findComment returns the pull request's first comment that starts with
// marker, or nil, reading every page of comments until it is found.
func (c *Client) findComment(ctx context.Context, env *Env, marker string) (*gh.IssueComment, error) {
	opts := &gh.IssueListCommentsOptions{ListOptions: gh.ListOptions{PerPage: 100}}
	for {
		comments, resp, err := c.gh.Issues.ListComments(ctx, env.Owner, env.Repo, env.PullRequest, opts)
		if err != nil {
			return nil, err
		}
		for _, cm := range comments {
			if strings.HasPrefix(cm.GetBody(), marker) {
				return cm, nil
			}
		}
		if resp.NextPage == 0 {
			return nil, nil
		}
		opts.Page = resp.NextPage
	}
}
