package github

import (
	"context"
	"errors"
	"strings"
)

// identity returns the login of the token's own account, the author of
// the comments meshc wrote: Options.User when set, else GraphQL's viewer
// (REST GET /user is refused for Actions' GITHUB_TOKEN, GraphQL answers it
// with the app's bot). It is asked once per client.
func (c *Client) identity(ctx context.Context) (string, error) {
	if c.user != "" {
		return c.user, nil
	}
	if c.viewer != "" || c.viewerErr != nil {
		return c.viewer, c.viewerErr
	}
	err := c.call(ctx, "asking GitHub whose token this is (GraphQL viewer)", func() error {
		req, err := c.gh.NewRequest("POST", c.graphqlURL(), map[string]string{"query": "query { viewer { login } }"})
		if err != nil {
			return err
		}
		var out struct {
			Data struct {
				Viewer struct {
					Login string `json:"login"`
				} `json:"viewer"`
			} `json:"data"`
			Errors []struct {
				Message string `json:"message"`
			} `json:"errors"`
		}
		if _, err := c.gh.Do(ctx, req, &out); err != nil {
			return err
		}
		if len(out.Errors) > 0 {
			return errors.New(out.Errors[0].Message)
		}
		if out.Data.Viewer.Login == "" {
			return errors.New("the answer names no login")
		}
		c.viewer = out.Data.Viewer.Login
		return nil
	})
	if err != nil {
		c.viewerErr = err
	}
	return c.viewer, err
}

// graphqlURL is the GraphQL endpoint beside the REST API: api.github.com's
// /graphql, a GitHub Enterprise Server's /api/graphql beside /api/v3.
func (c *Client) graphqlURL() string {
	u := *c.gh.BaseURL
	if p, ok := strings.CutSuffix(u.Path, "/api/v3/"); ok {
		u.Path = p + "/api/graphql"
	} else {
		u.Path = strings.TrimSuffix(u.Path, "/") + "/graphql"
	}
	return u.String()
}

// sameLogin reports whether a comment author's REST login is the token's
// GraphQL login: GraphQL names a bot without the "[bot]" REST adds.
func sameLogin(author, viewer string) bool {
	norm := func(s string) string { return strings.ToLower(strings.TrimSuffix(s, "[bot]")) }
	return viewer != "" && norm(author) == norm(viewer)
}
