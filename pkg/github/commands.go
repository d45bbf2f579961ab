package github

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/meshc-dev/meshc/pkg/diag"
)

// Workflow commands are how a step talks to the runner through its output:
// https://docs.github.com/actions/using-workflows/workflow-commands-for-github-actions

var (
	dataEscaper     = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")
	propertyEscaper = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")
)

// EscapeData escapes a workflow command's message.
func EscapeData(s string) string { return dataEscaper.Replace(s) }

// EscapeProperty escapes a workflow command's property value.
func EscapeProperty(s string) string { return propertyEscaper.Replace(s) }

// DiagnosticCommand returns d as a workflow command that annotates its
// file and line: "::error file=F,line=L,col=C,title=CODE::message".
func DiagnosticCommand(d diag.Diagnostic) string {
	var props []string
	if d.File != "" {
		props = append(props, "file="+EscapeProperty(d.File))
		if d.Line > 0 {
			props = append(props, "line="+strconv.Itoa(d.Line))
			if d.Column > 0 {
				props = append(props, "col="+strconv.Itoa(d.Column))
			}
		}
	}
	if d.Code != "" {
		props = append(props, "title="+EscapeProperty(d.Code))
	}
	s := "::" + commandLevel(d.Severity)
	if len(props) > 0 {
		s += " " + strings.Join(props, ",")
	}
	return s + "::" + EscapeData(annotationMessage(d))
}

func commandLevel(s diag.Severity) string {
	switch s {
	case diag.Error:
		return "error"
	case diag.Warning:
		return "warning"
	}
	return "notice"
}

// annotationMessage is d's message with the product or domain it is about.
func annotationMessage(d diag.Diagnostic) string {
	switch {
	case d.Product != "":
		return d.Message + " (" + d.Product + ")"
	case d.Domain != "":
		return d.Message + " (domain " + d.Domain + ")"
	}
	return d.Message
}

// writeCommands prints a workflow command for every diagnostic.
func writeCommands(w io.Writer, ds diag.Diagnostics) error {
	var b strings.Builder
	for _, d := range ds {
		b.WriteString(DiagnosticCommand(d))
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// StopCommands makes the runner ignore workflow commands in what is
// written to w until the returned function is called. Print text that
// holds content from a pull request (product descriptions, diagnostic
// messages) between the two, so a line of it cannot pass for a command.
func StopCommands(w io.Writer) (resume func()) {
	var b [16]byte
	_, _ = rand.Read(b[:])
	token := hex.EncodeToString(b[:])
	fmt.Fprintf(w, "::stop-commands::%s\n", token)
	return func() { fmt.Fprintf(w, "::%s::\n", token) }
}
