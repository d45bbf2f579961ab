// Package render turns meshc's results (diagnostics, and later plans) into
// text for terminals, JSON for machines and Markdown for pull requests. Each
// format is built from the same values, so they cannot disagree.
//
// It only formats: it never evaluates, fetches or decides.
package render
