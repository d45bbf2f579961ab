package gitremote

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

// A timeout is its own kind, however wrapped, and is not Network: it is
// not retried. A bare deadline (the caller's context) is not a timeout.
func TestClassifyTimeout(t *testing.T) {
	te := fmt.Errorf("fetch: %w", &TimeoutError{After: time.Second})
	if got := Classify(te); got != Timeout {
		t.Errorf("Classify(wrapped TimeoutError) = %v; want Timeout", got)
	}
	if !errors.Is(te, context.DeadlineExceeded) {
		t.Errorf("a TimeoutError is not context.DeadlineExceeded to errors.Is")
	}
	if got := Classify(context.DeadlineExceeded); got != Other {
		t.Errorf("Classify(context.DeadlineExceeded) = %v; want Other", got)
	}
}
