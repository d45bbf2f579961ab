package gittest

import (
	"net"
	"sync"
	"testing"
)

// Hung is a loopback TCP server that accepts every connection and never
// answers, as a remote behind a load balancer whose backend is stuck: a
// client that waits for it without a deadline waits forever.
type Hung struct {
	// Addr is 127.0.0.1:PORT.
	Addr string

	l     net.Listener
	mu    sync.Mutex
	conns []net.Conn
	n     int
}

// StartHung starts a Hung server; it stops, closing every connection, when
// the test ends.
func StartHung(t testing.TB) *Hung {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h := &Hung{Addr: l.Addr().String(), l: l}
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			h.mu.Lock()
			h.conns = append(h.conns, c)
			h.n++
			h.mu.Unlock()
		}
	}()
	t.Cleanup(h.Close)
	return h
}

// Accepted is how many connections the server accepted.
func (h *Hung) Accepted() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.n
}

// Hangup closes the connections accepted so far, as a remote that finally
// gives up; later ones hang again.
func (h *Hung) Hangup() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, c := range h.conns {
		c.Close()
	}
	h.conns = nil
}

// Close stops the server and closes every connection.
func (h *Hung) Close() {
	h.l.Close()
	h.Hangup()
}
