package github

import (
	"unicode/utf8"
)

// Unit is how GitHub counts a limit: in bytes of UTF-8, or in characters
// (Unicode code points).
type Unit string

// The units of GitHub's limits.
const (
	Bytes      Unit = "bytes"
	Characters Unit = "characters"
)

// Limit is one of GitHub's size limits: what it bounds, the most it
// takes, and how GitHub counts it.
type Limit struct {
	What string
	Max  int
	Unit Unit
}

// GitHub's limits, as GitHub counts them: the one table every text meshc
// sends to GitHub is cut by.
var (
	AnnotationMessage = Limit{"a check run annotation's message", 64 * 1024, Bytes}
	AnnotationTitle   = Limit{"a check run annotation's title", 255, Characters}
	CommentBody       = Limit{"a pull request comment's body", 65536, Characters}
	CheckSummary      = Limit{"a check run's output summary", 65535, Characters}
	CheckText         = Limit{"a check run's output text", 65535, Characters}
	JobSummary        = Limit{"what a step adds to the job summary", 1 << 20, Bytes}
)

// Limits returns the table of GitHub's limits.
func Limits() []Limit {
	return []Limit{AnnotationMessage, AnnotationTitle, CommentBody, CheckSummary, CheckText, JobSummary}
}

// Len is s's size as GitHub counts it for l.
func (l Limit) Len(s string) int {
	if l.Unit == Characters {
		return utf8.RuneCountInString(s)
	}
	return len(s)
}

// Fits reports whether GitHub takes s under l.
func (l Limit) Fits(s string) bool { return l.Len(s) <= l.Max }

// Cut returns the longest prefix of s that fits l, never splitting a
// character.
func (l Limit) Cut(s string) string {
	return l.CutTo(s, l.Max)
}

// CutTo returns the longest prefix of s of at most n units of l, never
// splitting a character.
func (l Limit) CutTo(s string, n int) string {
	if n <= 0 {
		return ""
	}
	if len(s) <= n {
		return s // n bytes are at most n characters too
	}
	if l.Unit == Bytes {
		end := n
		for end > 0 && !utf8.RuneStart(s[end]) {
			end--
		}
		return s[:end]
	}
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}

// Budget is how many bytes a renderer that counts bytes may use to fit l
// with room kept for reserved units: a text of n bytes has at most n
// characters, so a byte budget of a character limit is safe, if short
// for text of many-byte characters.
func (l Limit) Budget(reserved int) int { return max(0, l.Max-reserved) }
