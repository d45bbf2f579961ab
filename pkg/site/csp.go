package site

import (
	"crypto/sha256"
	"encoding/base64"
	"html/template"
)

// policy returns a page's Content-Security-Policy: nothing from anywhere by
// default; the site's own stylesheet and images; the page's one inline
// script, if it has one, by its hash. No remote origin is allowed, forms
// go nowhere and a <base> cannot move the relative links.
func policy(script template.JS) string {
	scripts := "'none'"
	if script != "" {
		scripts = "'" + scriptHash(string(script)) + "'"
	}
	return "default-src 'none'; script-src " + scripts + "; style-src 'self'; img-src 'self' data:; " +
		"base-uri 'none'; form-action 'none'"
}

// scriptHash is the CSP source of an inline script's text.
func scriptHash(js string) string {
	sum := sha256.Sum256([]byte(js))
	return "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
}
