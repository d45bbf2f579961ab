package redact

import (
	"io"
	"net/url"
	"regexp"
	"strings"
)

// Mask replaces what is hidden.
const Mask = "xxxxx"

// secretParams are query parameters that carry credentials.
var secretParams = map[string]bool{
	"access_token": true, "token": true, "private_token": true, "password": true, "passwd": true,
	"secret": true, "client_secret": true, "key": true, "api_key": true, "apikey": true,
	"auth": true, "sig": true, "signature": true, "code": true, "x-amz-signature": true,
	"x-amz-credential": true, "x-amz-security-token": true,
}

// URL returns raw with its credentials masked: a password, a bare user
// name (GitHub takes a token there; for ssh a bare user, such as git, is an
// address, not a secret, and is kept) and secret query parameters. Anything else is returned as given.
func URL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" {
		return raw
	}
	changed := false
	if u.User != nil {
		_, hasPassword := u.User.Password()
		switch {
		case hasPassword:
			// The user beside a password names an account (x-access-token,
			// meshc); the password is the secret.
			u.User = url.UserPassword(u.User.Username(), Mask)
			changed = true
		case u.Scheme != "ssh":
			u.User = url.User(Mask)
			changed = true
		}
	}
	if u.RawQuery != "" {
		q := u.Query()
		for k := range q {
			if secretParams[strings.ToLower(k)] {
				q[k] = []string{Mask}
				changed = true
			}
		}
		if changed {
			u.RawQuery = q.Encode()
		}
	}
	if !changed {
		return raw
	}
	return u.String()
}

var (
	urlRE   = regexp.MustCompile("[A-Za-z][A-Za-z0-9+.-]*://[^\\s\"'<>`]+")
	tokenRE = regexp.MustCompile(`\b(gh[pousr]_|github_pat_|glpat-|xox[abprs]-)[A-Za-z0-9_-]{10,}`)
)

// Text returns s with every URL in it passed through URL and every
// GitHub, GitLab or Slack token masked.
func Text(s string) string {
	if !strings.Contains(s, "://") && !tokenRE.MatchString(s) {
		return s
	}
	s = urlRE.ReplaceAllStringFunc(s, func(m string) string {
		// A URL quoted inside a sentence ends before its closing
		// punctuation.
		trail := ""
		for len(m) > 0 && strings.ContainsRune(".,;:)]}", rune(m[len(m)-1])) {
			trail = m[len(m)-1:] + trail
			m = m[:len(m)-1]
		}
		return URL(m) + trail
	})
	return tokenRE.ReplaceAllString(s, "${1}"+Mask)
}

// Writer returns w with everything written to it passed through Text, a
// write at a time (meshc writes whole lines).
func Writer(w io.Writer) io.Writer {
	if w == nil {
		return nil
	}
	if _, ok := w.(writer); ok {
		return w
	}
	return writer{w}
}

type writer struct{ w io.Writer }

func (r writer) Write(p []byte) (int, error) {
	s := string(p)
	out := Text(s)
	if out == s {
		return r.w.Write(p)
	}
	if _, err := io.WriteString(r.w, out); err != nil {
		return 0, err
	}
	return len(p), nil
}
