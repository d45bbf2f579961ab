package cli

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"sync/atomic"

	"github.com/meshc-dev/meshc/pkg/engine"
	meshusage "github.com/meshc-dev/meshc/pkg/usage"
)

// lineageEndpoint is meshc serve's POST /api/v1/lineage: the usage ingest
// handler over the live catalog the site was last built from (set anew on
// every change of it, so new ports and jobs are recognised). Each POST
// asks for a rebuild of the site, so the usage it counted shows.
type lineageEndpoint struct {
	h        atomic.Pointer[http.Handler]
	mu       sync.Mutex    // one ingest at a time, across ingesters
	ingested chan struct{} // a POST was served: rebuild the site
}

func newLineageEndpoint() *lineageEndpoint {
	return &lineageEndpoint{ingested: make(chan struct{}, 1)}
}

// set resolves events against eng's live catalog from now on. When the
// backend keeps no usage the endpoint answers 501 with why.
func (l *lineageEndpoint) set(ctx context.Context, eng *engine.Engine) error {
	var h http.Handler
	ing, err := eng.Ingester(ctx)
	if err != nil {
		msg := err.Error()
		h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotImplemented)
			json.NewEncoder(w).Encode(map[string]string{"error": msg})
		})
	} else {
		h = meshusage.Handler(ing) // bounds the body to MaxBodyBytes
	}
	l.h.Store(&h)
	return err
}

func (l *lineageEndpoint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := l.h.Load()
	if h == nil {
		http.Error(w, "the live catalog is being read", http.StatusServiceUnavailable)
		return
	}
	if r.Method != http.MethodPost {
		(*h).ServeHTTP(w, r) // 405, naming the method
		return
	}
	l.mu.Lock()
	(*h).ServeHTTP(w, r)
	l.mu.Unlock()
	select {
	case l.ingested <- struct{}{}:
	default: // a rebuild is already asked for
	}
}

// serveMux serves the site, GET and HEAD only, and the lineage endpoint.
func serveMux(siteHandler http.Handler, l *lineageEndpoint) *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("/", siteHandler)
	mux.Handle(meshusage.LineagePath, l)
	return mux
}
