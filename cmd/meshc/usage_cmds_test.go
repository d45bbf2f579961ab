package main

import (
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// freePort sets an environment variable to a TCP port free on 127.0.0.1:
// "free-port PORT".
func freePort(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: free-port VAR")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		ts.Fatalf("free-port: %v", err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	ts.Setenv(args[0], strconv.Itoa(port))
}

// httpPost posts a file's content as JSON and prints the status and body
// on stdout: "http-post URL FILE". It retries while the server is not up
// yet (connection refused), for up to 20 seconds.
func httpPost(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: http-post URL FILE")
	}
	body, err := os.ReadFile(ts.MkAbs(args[1]))
	ts.Check(err)
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Post(args[0], "application/json", strings.NewReader(string(body)))
		if err != nil {
			if time.Now().Before(deadline) {
				time.Sleep(50 * time.Millisecond)
				continue
			}
			ts.Fatalf("http-post: %v", err)
		}
		var b strings.Builder
		buf := make([]byte, 4096)
		for {
			n, err := resp.Body.Read(buf)
			b.Write(buf[:n])
			if err != nil {
				break
			}
		}
		resp.Body.Close()
		ts.Stdout().Write([]byte(strconv.Itoa(resp.StatusCode) + "\n" + b.String()))
		return
	}
}
