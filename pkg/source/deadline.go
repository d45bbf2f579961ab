package source

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/meshc-dev/meshc/pkg/internal/gitremote"
)

// DefaultTimeout bounds each git network operation (listing a remote's
// refs, a clone, a fetch) when Git.Timeout is zero.
const DefaultTimeout = 3 * time.Minute

var (
	// slowAfter is how long a domain's fetch runs before Notify is told.
	slowAfter = time.Second
	// abandonAfter is how long an operation whose context ended may take
	// to return before it is left behind.
	abandonAfter = 500 * time.Millisecond
)

// EventKind says what an Event reports.
type EventKind int

const (
	// EventSlow: a domain's fetch has run for Elapsed and is not done.
	EventSlow EventKind = iota + 1
	// EventRecloned: the cached clone of URL could not be read (Detail
	// says why); it was moved aside and cloned again, successfully.
	EventRecloned
)

// Event is what a fetch tells Git.Notify while it runs.
type Event struct {
	Kind   EventKind
	Domain string
	// URL is the repository, credentials redacted; Ref the ref asked for
	// ("" for the default branch).
	URL, Ref string
	Elapsed  time.Duration
	Detail   string
}

// String says the event in a line for people.
func (e Event) String() string {
	switch e.Kind {
	case EventSlow:
		ref := "the default branch"
		if e.Ref != "" {
			ref = "ref " + e.Ref
		}
		return fmt.Sprintf("fetching domain %s from %s (%s)...", e.Domain, e.URL, ref)
	case EventRecloned:
		return fmt.Sprintf("the cached clone of %s was unreadable (%s); cloned it again", e.URL, e.Detail)
	}
	return fmt.Sprintf("domain %s: %s", e.Domain, e.URL)
}

func (g Git) timeout() time.Duration {
	if g.Timeout > 0 {
		return g.Timeout
	}
	return DefaultTimeout
}

// attempt runs one network operation, bounded by the timeout and by ctx.
// go-git's transports watch the context while they read and write, but
// not while they connect (the git:// and ssh dials, the ssh handshake): an
// operation still running a moment after its context ended is left
// behind, and the clone stays locked until it returns (q.stuck), so that
// nothing else touches it meanwhile.
func (q *request) attempt(ctx context.Context, op func(context.Context) error) error {
	if q.stuck != nil {
		return &gitremote.TimeoutError{After: q.g.timeout()}
	}
	actx, cancel := context.WithTimeout(ctx, q.g.timeout())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- op(actx) }()
	var err error
	select {
	case err = <-done:
	case <-actx.Done():
		t := time.NewTimer(abandonAfter)
		select {
		case err = <-done:
			t.Stop()
		case <-t.C:
			stuck := make(chan struct{})
			go func() {
				<-done
				close(stuck)
			}()
			q.stuck = stuck
			err = actx.Err()
		}
	}
	if err != nil && ctx.Err() == nil && actx.Err() != nil {
		return &gitremote.TimeoutError{After: q.g.timeout()}
	}
	return err
}

// watch tells Notify, once, of a fetch still running after slowAfter, and
// returns the function that ends the watch: no event follows it.
func (q *request) watch() (stop func()) {
	if q.g.Notify == nil {
		return func() {}
	}
	start := time.Now()
	var mu sync.Mutex
	done := false
	t := time.AfterFunc(slowAfter, func() {
		mu.Lock()
		defer mu.Unlock()
		if !done {
			q.notify(Event{Kind: EventSlow, Elapsed: time.Since(start)})
		}
	})
	return func() {
		t.Stop()
		mu.Lock()
		done = true
		mu.Unlock()
	}
}

// notify fills in the domain's fields of e and hands it to Notify.
func (q *request) notify(e Event) {
	if q.g.Notify == nil {
		return
	}
	e.Domain, e.URL, e.Ref = q.d.Name, q.shown, q.ref
	q.g.Notify(e)
}

// serialized returns notify made safe to call from several goroutines:
// the calls take turns.
func serialized(notify func(Event)) func(Event) {
	if notify == nil {
		return nil
	}
	var mu sync.Mutex
	return func(e Event) {
		mu.Lock()
		defer mu.Unlock()
		notify(e)
	}
}
