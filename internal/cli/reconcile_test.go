package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for a writer and a reader goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestReconcileWatch runs the service until its context ends (as SIGTERM
// ends it): it finishes the cycle, logs JSON lines and exits 0.
func TestReconcileWatch(t *testing.T) {
	cfg := example(t)
	var logs syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	go func() {
		done <- Run(ctx, []string{"reconcile", "--config", cfg, "--watch", "--interval", "1h", "--apply", "--log-format", "json"},
			&Env{Stdout: &logs, Stderr: &logs, Getenv: func(string) string { return "" }})
	}()
	deadline := time.After(time.Minute)
	for !strings.Contains(logs.String(), `"msg":"reconcile cycle done"`) {
		select {
		case code := <-done:
			t.Fatalf("service exited %d before a cycle:\n%s", code, logs.String())
		case <-deadline:
			t.Fatalf("no cycle logged within a minute:\n%s", logs.String())
		case <-time.After(5 * time.Millisecond):
		}
	}
	cancel()
	if code := <-done; code != ExitOK {
		t.Errorf("exit %d, want 0", code)
	}
	var sawDrift, sawStop bool
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("log line is not JSON: %q", line)
		}
		switch rec["msg"] {
		case "drift":
			sawDrift = rec["drift"] == "source-ahead"
		case "reconcile cycle done":
			if rec["applied"] != true || rec["create"] != float64(12) {
				t.Errorf("first cycle did not apply 12 creates: %v", rec)
			}
		case "reconcile service stopping":
			sawStop = true
		}
	}
	if !sawDrift || !sawStop {
		t.Errorf("logs lack drift or stop records:\n%s", logs.String())
	}
}
