package source_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/meshc-dev/meshc/pkg/source"
)

func TestURLs(t *testing.T) {
	g := source.Git{CacheDir: "/cache"}
	for url, want := range map[string]string{
		"https://github.com/acme/customers-data":      "customers-data",
		"https://github.com/acme/customers-data.git":  "customers-data",
		"git@github.com:acme/orders.git":              "orders",
		"ssh://git@example.com:2222/acme/pay%20ments": "pay_20ments",
		"file:///srv/git/finance/":                    "finance",
		"/srv/git/marketing.git":                      "marketing",
	} {
		dir := g.RepoDir(url)
		name := filepath.Base(dir)
		if filepath.Dir(dir) != "/cache" || len(name) != 17+len(want) || name[16] != '-' || name[17:] != want {
			t.Errorf("RepoDir(%q) = %s; want /cache/<16 hex>-%s", url, dir, want)
		}
	}
	if g.RepoDir("https://a.example/x") == g.RepoDir("https://b.example/x") {
		t.Error("two repositories share a cache directory")
	}
	for _, url := range []string{"ftp://example.com/x.git", ""} {
		_, err := g.Fetch(context.Background(), domain(url, "main", ""))
		if err == nil || !strings.Contains(err.Error(), "domain orders") {
			t.Errorf("Fetch(%q) = %v; want an error", url, err)
		}
	}
}

func TestGitCredentials(t *testing.T) {
	g, _ := fetcher(t)
	g.Retries = -1
	// No agent and no key: a clear error before any connection.
	_, err := g.Fetch(context.Background(), domain("ssh://git@127.0.0.1:1/acme/orders.git", "main", ""))
	wantErr(t, err, "ssh://git@127.0.0.1:1/acme/orders.git", "main", "no ssh credentials", "MESHC_SSH_KEY")
	g.Getenv = func(k string) string {
		if k == "MESHC_SSH_KEY" {
			return "/nonexistent/id_ed25519"
		}
		return ""
	}
	_, err = g.Fetch(context.Background(), domain("git@127.0.0.1:acme/orders.git", "main", ""))
	wantErr(t, err, "git@127.0.0.1:acme/orders.git", "main", "MESHC_SSH_KEY", "/nonexistent/id_ed25519")
}

func TestGitCredentialsNotShown(t *testing.T) {
	g, _ := fetcher(t)
	g.Retries = -1
	url := "https://user:s3cret@127.0.0.1:1/acme/orders.git"
	_, err := g.Fetch(context.Background(), domain(url, "main", "mesh"))
	if err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("err = %v; want an error without the password", err)
	}
	if g.RepoDir(url) != g.RepoDir("https://127.0.0.1:1/acme/orders.git") {
		t.Error("credentials in the URL change its cache directory")
	}
}
