package github

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/meshc-dev/meshc/pkg/diag"
)

// TestLimitsTable pins GitHub's limits as GitHub documents and counts them.
func TestLimitsTable(t *testing.T) {
	want := map[string]Limit{
		"annotation message": {AnnotationMessage.What, 65536, Bytes},
		"annotation title":   {AnnotationTitle.What, 255, Characters},
		"comment body":       {CommentBody.What, 65536, Characters},
		"check summary":      {CheckSummary.What, 65535, Characters},
		"check text":         {CheckText.What, 65535, Characters},
		"job summary":        {JobSummary.What, 1048576, Bytes},
	}
	got := map[string]Limit{
		"annotation message": AnnotationMessage, "annotation title": AnnotationTitle, "comment body": CommentBody,
		"check summary": CheckSummary, "check text": CheckText, "job summary": JobSummary,
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: %+v, want %+v", k, got[k], w)
		}
	}
	if len(Limits()) != len(want) {
		t.Errorf("Limits() has %d entries, want %d", len(Limits()), len(want))
	}
}

// TestLimitEdges cuts text at each limit's edge, in ASCII and in
// characters of two, three and four bytes: at the limit it is whole, one
// over it is cut to the limit (or, for bytes, to the last whole character
// within it), always valid UTF-8.
func TestLimitEdges(t *testing.T) {
	for _, l := range Limits() {
		for _, ch := range []string{"a", "é", "€", "😀"} {
			t.Run(l.What+"/"+ch, func(t *testing.T) {
				w := len(ch)
				var at string // exactly at the limit, as GitHub counts
				if l.Unit == Characters {
					at = strings.Repeat(ch, l.Max)
				} else {
					at = strings.Repeat(ch, l.Max/w) + strings.Repeat("a", l.Max%w)
				}
				if l.Len(at) != l.Max || !l.Fits(at) || l.Cut(at) != at {
					t.Fatalf("a text of exactly %d %s (%d bytes) does not fit whole", l.Max, l.Unit, len(at))
				}
				over := strings.Repeat(ch, l.Max/w+1) // past the limit by a character
				if l.Unit == Characters {
					over = at + ch
				}
				cut := l.Cut(over)
				if !utf8.ValidString(cut) || !l.Fits(cut) || !strings.HasPrefix(over, cut) {
					t.Fatalf("cut of %d bytes: valid %v, %d %s, a prefix %v", len(cut), utf8.ValidString(cut), l.Len(cut), l.Unit, strings.HasPrefix(over, cut))
				}
				if l.Len(cut) <= l.Max-w {
					t.Errorf("cut to %d %s, want more than %d: it cut more than one character", l.Len(cut), l.Unit, l.Max-w)
				}
			})
		}
	}
}

// TestAnnotationLimits sends a diagnostic whose message and code are far
// over GitHub's limits, in multi-byte text: the message is cut to 64 KB in
// bytes, the title to 255 characters, at character boundaries.
func TestAnnotationLimits(t *testing.T) {
	d := diag.Diagnostic{Severity: diag.Error, File: "a.cue", Line: 3,
		Code: strings.Repeat("é", 300), Message: strings.Repeat("€", 30000)}
	a := annotations(diag.Diagnostics{d})[0]
	msg, title := a.GetMessage(), a.GetTitle()
	if len(msg) > 65536 || len(msg) < 65536-3 || !utf8.ValidString(msg) {
		t.Errorf("annotation message of %d bytes (valid %v), want the most whole characters within 65536 bytes", len(msg), utf8.ValidString(msg))
	}
	if n := utf8.RuneCountInString(title); n != 255 || !utf8.ValidString(title) {
		t.Errorf("annotation title of %d characters, want 255", n)
	}
	short := annotations(diag.Diagnostics{{Severity: diag.Error, File: "a.cue", Code: strings.Repeat("é", 255), Message: strings.Repeat("€", 100)}})[0]
	if short.GetTitle() != strings.Repeat("é", 255) || short.GetMessage() != strings.Repeat("€", 100) {
		t.Errorf("texts within the limits were cut: %q", short.GetTitle())
	}
}

// TestCommentAtTheEdge renders a caller's report of multi-byte text that
// fits a comment by characters though not by bytes: it is sent whole; one
// character more and it is cut to fit.
func TestCommentAtTheEdge(t *testing.T) {
	env := &Env{}
	marker := Marker("acme")
	room := CommentBody.Max - utf8.RuneCountInString(marker+"\n") - 1 // the final newline
	r := Report{Kind: "validate", Mesh: "acme", Markdown: marker + "\n" + strings.Repeat("€", room) + "\n"}
	body := r.commentBody(env)
	if n := utf8.RuneCountInString(body); n != CommentBody.Max || !strings.HasSuffix(body, "€\n") {
		t.Errorf("a comment of exactly %d characters (%d bytes) was not sent whole: %d characters", CommentBody.Max, len(r.Markdown), n)
	}
	r.Markdown = marker + "\n" + strings.Repeat("€", room+1) + "\n"
	body = r.commentBody(env)
	if n := utf8.RuneCountInString(body); n > CommentBody.Max || !utf8.ValidString(body) || !strings.HasPrefix(body, marker+"\n") {
		t.Errorf("a comment one character over the limit: %d characters, valid %v", n, utf8.ValidString(body))
	}
}

// TestCheckSummaryAndJobSummaryAtTheEdge renders caller reports at the
// check run summary's and the job summary's edges.
func TestCheckSummaryAndJobSummaryAtTheEdge(t *testing.T) {
	r := Report{Kind: "validate", Markdown: strings.Repeat("é", CheckSummary.Max)}
	if got := r.within("", CheckSummary, nil); got != r.Markdown {
		t.Errorf("a summary of exactly %d characters was not kept whole (%d)", CheckSummary.Max, utf8.RuneCountInString(got))
	}
	r.Markdown += "é"
	if got := r.within("", CheckSummary, nil); !CheckSummary.Fits(got) || !utf8.ValidString(got) {
		t.Errorf("a summary one character over: %d characters", utf8.RuneCountInString(got))
	}
	separated := func(s string) string { return strings.TrimRight(s, "\n") + "\n\n" }
	r = Report{Kind: "validate", Markdown: strings.Repeat("😀", JobSummary.Max/4-1) + "ab"}
	if got := r.within("", JobSummary, separated); got != r.Markdown+"\n\n" {
		t.Errorf("a job summary of exactly %d bytes with its separator was not kept whole (%d)", JobSummary.Max, len(got))
	}
	r.Markdown += "😀"
	if got := r.within("", JobSummary, separated); len(got) > JobSummary.Max || !utf8.ValidString(got) || !strings.HasSuffix(got, "\n\n") {
		t.Errorf("a job summary over the limit: %d bytes", len(got))
	}
}
