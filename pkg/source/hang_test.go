package source_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/meshc-dev/meshc/internal/gittest"
	"github.com/meshc-dev/meshc/pkg/source"
)

// events records what a fetch notifies.
type events struct {
	mu   sync.Mutex
	list []source.Event
	// on, when set, is called with each event as it comes.
	on func(source.Event)
}

func (e *events) notify(ev source.Event) {
	e.mu.Lock()
	e.list = append(e.list, ev)
	on := e.on
	e.mu.Unlock()
	if on != nil {
		on(ev)
	}
}

func (e *events) all() []source.Event {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]source.Event(nil), e.list...)
}

// fetchAsync runs g.Fetch in a goroutine and returns its error, failing
// the test if it has not returned within 10 seconds: a guard against a
// hang, not a measure of speed.
func fetchAsync(t *testing.T, ctx context.Context, g source.Git, url string) error {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		_, err := g.Fetch(ctx, domain(url, "main", "mesh"))
		done <- err
	}()
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		t.Fatalf("Fetch of %s did not return within 10s", url)
		return nil
	}
}

// A remote that accepts the connection and never answers ends in a
// timeout error that names the domain, URL and ref, says what to do, and
// is not retried.
func TestGitTimeout(t *testing.T) {
	h := gittest.StartHung(t)
	for _, url := range []string{"git://" + h.Addr + "/orders.git", "http://" + h.Addr + "/orders.git"} {
		t.Run(url, func(t *testing.T) {
			g, l := fetcher(t)
			g.Timeout = 200 * time.Millisecond
			before := h.Accepted()
			err := fetchAsync(t, context.Background(), g, url)
			wantErr(t, err, url, "ref main", "no answer from "+url+" (ref main) within 200ms", "raise --git-timeout")
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("err = %v; want context.DeadlineExceeded", err)
			}
			if n := l.count("git: retrying"); n != 0 {
				t.Errorf("a timeout was retried %d times", n)
			}
			if h.Accepted() == before {
				t.Error("the fetch never connected to the server")
			}
		})
	}
}

// Cancelling the context ends a fetch from a remote that never answers at
// once, with context.Canceled; a slow fetch is announced first.
func TestGitCancelHungRemote(t *testing.T) {
	source.SetSlowAfter(t, 50*time.Millisecond)
	h := gittest.StartHung(t)
	for _, url := range []string{"git://" + h.Addr + "/orders.git", "http://" + h.Addr + "/orders.git"} {
		t.Run(url, func(t *testing.T) {
			g, _ := fetcher(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			ev := &events{on: func(e source.Event) {
				if e.Kind == source.EventSlow {
					cancel()
				}
			}}
			g.Notify = ev.notify
			err := fetchAsync(t, ctx, g, url)
			if !errors.Is(err, context.Canceled) {
				t.Errorf("err = %v; want context.Canceled", err)
			}
			wantErr(t, err, url, "ref main")
			got := ev.all()
			if len(got) != 1 || got[0].Kind != source.EventSlow || got[0].Domain != "orders" || got[0].URL != url || got[0].Ref != "main" {
				t.Fatalf("events %+v; want one slow fetch of orders", got)
			}
			if want := "fetching domain orders from " + url + " (ref main)..."; got[0].String() != want {
				t.Errorf("event says %q; want %q", got[0].String(), want)
			}
		})
	}
}

// A fetch that ends before it is slow tells nothing.
func TestGitFastFetchIsQuiet(t *testing.T) {
	r := gittest.New(t)
	r.Commit("v1", version(1))
	g, _ := fetcher(t)
	ev := &events{}
	g.Notify = ev.notify
	source.SetSlowAfter(t, time.Hour)
	mustFetch(t, g, domain(r.URL(), "main", "mesh"))
	if got := ev.all(); len(got) != 0 {
		t.Errorf("events %+v; want none", got)
	}
}

// go-git's ssh transport does not watch the context during the ssh
// handshake: a server that accepts and never sends its banner keeps the
// operation running. The fetch still returns in time, and the operation
// left behind keeps the clone locked until it returns, when the server
// hangs up.
func TestGitSSHHandshakeHangs(t *testing.T) {
	h := gittest.StartHung(t)
	key := gittest.NewSSHKey(t).WriteFile(t, t.TempDir())
	url := "ssh://git@" + h.Addr + "/orders.git"
	// Any known_hosts file: the handshake never gets to the host key.
	t.Setenv("SSH_KNOWN_HOSTS", gittest.WriteKnownHosts(t, "example.com "+gittest.NewSSHKey(t).AuthorizedKey()))
	g, _ := fetcher(t)
	g.Timeout = 200 * time.Millisecond
	g.Getenv = func(k string) string {
		if k == source.EnvSSHKey {
			return key
		}
		return ""
	}
	err := fetchAsync(t, context.Background(), g, url)
	wantErr(t, err, url, "ref main", "no answer from "+url+" (ref main) within 200ms")

	err = fetchAsync(t, context.Background(), g, url)
	wantErr(t, err, url, "ref main", "still held by an earlier fetch")

	h.Hangup()
	g.Timeout = time.Second // time enough for the first operation to let go
	err = fetchAsync(t, context.Background(), g, url)
	wantErr(t, err, url, "ref main", "no answer from "+url+" (ref main) within 1s")
	h.Hangup()
}
