package usage

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"sync"
)

// LineagePath is where OpenLineage's HTTP transport posts events.
const LineagePath = "/api/v1/lineage"

// MaxBodyBytes bounds one request's body.
const MaxBodyBytes = 16 << 20

// Handler serves POST /api/v1/lineage: the body is one OpenLineage run
// event (as the HTTP transport sends it) or NDJSON events. It answers 200
// with the ingestion's Result as JSON, 400 with it when an event was
// malformed (the others are counted), 413 for a body over MaxBodyBytes,
// 405 for another method and 500 when the store fails. Requests take
// turns.
func Handler(in *Ingester) http.Handler {
	var mu sync.Mutex
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "POST OpenLineage run events to " + LineagePath})
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
		if err != nil {
			if _, big := errors.AsType[*http.MaxBytesError](err); big {
				writeJSON(w, http.StatusRequestEntityTooLarge, map[string]string{"error": "the body is larger than 16 MiB: send fewer events per request"})
				return
			}
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "reading the body: " + err.Error()})
			return
		}
		// One pretty-printed event is one line of NDJSON once compacted.
		if t := bytes.TrimSpace(body); len(t) > 0 && t[0] == '{' && json.Valid(t) {
			var b bytes.Buffer
			if json.Compact(&b, t) == nil {
				body = b.Bytes()
			}
		}
		mu.Lock()
		res, err := in.Ingest(r.Context(), bytes.NewReader(body))
		mu.Unlock()
		if err != nil {
			writeJSON(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
			return
		}
		status := http.StatusOK
		if res.Malformed > 0 {
			status = http.StatusBadRequest
		}
		writeJSON(w, status, res)
	})
}

// Mux returns a mux that serves Handler at LineagePath: what `meshc usage
// serve` listens with, and what `meshc serve` mounts.
func Mux(in *Ingester) *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle(LineagePath, Handler(in))
	return mux
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
