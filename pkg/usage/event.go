package usage

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"
	"time"

	"github.com/meshc-dev/meshc/pkg/catalog"
	"github.com/meshc-dev/meshc/pkg/state"
)

// MaxEventBytes bounds one event (one NDJSON line, one HTTP body's
// event): a larger one is malformed.
const MaxEventBytes = 1 << 20

// maxProblems is how many malformed events a Result names; the others are
// only counted.
const maxProblems = 20

// maxInputs bounds the inputs of one event that are looked at.
const maxInputs = 1000

// RunEvent is the part of an OpenLineage RunEvent meshc reads: the
// transition, when, which run of which job, and its inputs. Facets (and
// the SQL they may carry) are not decoded.
type RunEvent struct {
	EventType string `json:"eventType"`
	EventTime string `json:"eventTime"`
	Run       struct {
		RunID string `json:"runId"`
	} `json:"run"`
	Job    catalog.LineageID   `json:"job"`
	Inputs []catalog.LineageID `json:"inputs"`
}

// The event types meshc counts; START, RUNNING, ABORT and OTHER are read
// and skipped.
const (
	Complete = "COMPLETE"
	Fail     = "FAIL"
)

var eventTypes = map[string]bool{"START": true, "RUNNING": true, "COMPLETE": true, "ABORT": true, "FAIL": true, "OTHER": true}

// Problem is one malformed event: where (its line, 1-based) and why.
type Problem struct {
	Line   int    `json:"line"`
	Reason string `json:"reason"`
}

// Result says what an ingestion read and kept.
type Result struct {
	Events    int `json:"events"`    // events read (lines that were not blank)
	Counted   int `json:"counted"`   // COMPLETE and FAIL events that read a known port
	Added     int `json:"added"`     // of those, the ones not ingested before
	Skipped   int `json:"skipped"`   // other event types (START, RUNNING, ...)
	Unmatched int `json:"unmatched"` // COMPLETE and FAIL events with no input the mesh publishes
	Malformed int `json:"malformed"`
	// Problems names the first malformed events.
	Problems []Problem `json:"problems,omitempty"`
	// UnknownJobs counts the jobs no product claims that read a known port
	// (they are kept as shadow consumers "job:NAMESPACE/NAME").
	UnknownJobs int `json:"unknown_jobs"`
}

func (r *Result) malformed(line int, format string, args ...any) {
	r.Malformed++
	if len(r.Problems) < maxProblems {
		r.Problems = append(r.Problems, Problem{Line: line, Reason: fmt.Sprintf(format, args...)})
	}
}

// Add merges o's counts into r.
func (r *Result) Add(o Result) {
	r.Events += o.Events
	r.Counted += o.Counted
	r.Added += o.Added
	r.Skipped += o.Skipped
	r.Unmatched += o.Unmatched
	r.Malformed += o.Malformed
	r.UnknownJobs += o.UnknownJobs
	for _, p := range o.Problems {
		if len(r.Problems) < maxProblems {
			r.Problems = append(r.Problems, p)
		}
	}
}

// Read reads NDJSON run events from r (blank lines skipped) and resolves
// them against idx. Malformed events are counted in the result, never an
// error; the error is reading r's.
func Read(r io.Reader, idx *Index) ([]state.UsageEvent, Result, error) {
	var out []state.UsageEvent
	res, err := Stream(r, idx, 0, func(evs []state.UsageEvent) error {
		out = append(out, evs...)
		return nil
	})
	return out, res, err
}

// BatchSize is how many counted events Stream hands on at a time.
const BatchSize = 250_000

// Stream reads as Read does and hands the counted events to flush in
// batches of batch (BatchSize when 0), so that memory stays bounded
// whatever the input's size. An error of flush stops it. Events are
// decoded on every core, in chunks of lines, and handed on in the input's
// order.
func Stream(r io.Reader, idx *Index, batch int, flush func([]state.UsageEvent) error) (Result, error) {
	if batch <= 0 {
		batch = BatchSize
	}
	workers := max(1, runtime.GOMAXPROCS(0))
	chunks := make(chan *chunk, workers*2)
	done := make(chan *chunk, workers*2)
	stop := make(chan struct{})
	var readErr error
	go func() { // the reader: lines into chunks
		defer close(chunks)
		br := bufio.NewReaderSize(r, 64<<10)
		c := &chunk{}
		line := 0
		send := func() bool {
			select {
			case chunks <- c:
				c = &chunk{seq: c.seq + 1}
				return true
			case <-stop:
				return false
			}
		}
		for {
			raw, tooLong, err := readLine(br)
			if err == nil || len(raw) > 0 || tooLong {
				line++ // every line counts, blank ones too, so that numbers match the file's
				if len(bytes.TrimSpace(raw)) > 0 || tooLong {
					c.lines = append(c.lines, raw)
					c.nums = append(c.nums, line)
					c.long = append(c.long, tooLong)
					if len(c.lines) == chunkLines && !send() {
						return
					}
				}
			}
			if err != nil {
				if err != io.EOF {
					readErr = err
				}
				if len(c.lines) > 0 {
					send()
				}
				return
			}
		}
	}()
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range chunks {
				c.decode(idx)
				done <- c
			}
		}()
	}
	go func() { wg.Wait(); close(done) }()

	var res Result
	jobs := map[catalog.LineageID]bool{}
	out := make([]state.UsageEvent, 0, min(batch, 1024))
	pending := map[int]*chunk{}
	next := 0
	var ferr error
	for c := range done {
		if ferr != nil {
			continue // drain
		}
		pending[c.seq] = c
		for pending[next] != nil {
			c := pending[next]
			delete(pending, next)
			next++
			res.Add(c.res)
			for j := range c.jobs {
				jobs[j] = true
			}
			for _, e := range c.events {
				out = append(out, e)
				if len(out) >= batch {
					if ferr = flush(out); ferr != nil {
						close(stop)
						break
					}
					out = out[:0]
				}
			}
			if ferr != nil {
				break
			}
		}
	}
	if ferr != nil {
		return res, ferr
	}
	res.UnknownJobs = len(jobs)
	if readErr != nil {
		return res, readErr
	}
	if len(out) > 0 {
		if err := flush(out); err != nil {
			return res, err
		}
	}
	return res, nil
}

// chunkLines is how many lines a chunk holds.
const chunkLines = 2048

// chunk is lines of the input, decoded by one worker.
type chunk struct {
	seq    int
	lines  [][]byte
	nums   []int
	long   []bool
	events []state.UsageEvent
	res    Result
	jobs   map[catalog.LineageID]bool
}

func (c *chunk) decode(idx *Index) {
	c.jobs = map[catalog.LineageID]bool{}
	for i, raw := range c.lines {
		c.res.Events++
		if c.long[i] {
			c.res.malformed(c.nums[i], "the event is larger than %d bytes", MaxEventBytes)
			continue
		}
		if ev, ok := decode(raw, c.nums[i], &c.res); ok {
			if e, ok := idx.resolve(ev, c.nums[i], &c.res, c.jobs); ok {
				c.events = append(c.events, e)
			}
		}
	}
	c.lines = nil
}

// readLine reads one line without its newline; a line longer than
// MaxEventBytes is consumed and reported as tooLong.
func readLine(br *bufio.Reader) (line []byte, tooLong bool, err error) {
	var buf []byte
	for {
		chunk, err := br.ReadSlice('\n')
		if len(buf)+len(chunk) > MaxEventBytes+1 {
			tooLong = true
			buf = nil
		} else if !tooLong {
			buf = append(buf, chunk...)
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err == nil {
			buf = buf[:len(buf)-1]
		}
		return buf, tooLong, err
	}
}

// decode parses one event and checks the fields meshc needs.
func decode(raw []byte, line int, res *Result) (*RunEvent, bool) {
	var ev RunEvent
	if err := json.Unmarshal(raw, &ev); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			res.malformed(line, "not JSON: %v", err)
		} else {
			res.malformed(line, "not an OpenLineage RunEvent: %v", err)
		}
		return nil, false
	}
	switch {
	case !eventTypes[ev.EventType]:
		res.malformed(line, "eventType %q is not one of START, RUNNING, COMPLETE, ABORT, FAIL, OTHER", clip(ev.EventType))
	case ev.Run.RunID == "":
		res.malformed(line, "run.runId is missing")
	case ev.Job.Namespace == "" || ev.Job.Name == "":
		res.malformed(line, "job.namespace and job.name are required")
	default:
		return &ev, true
	}
	return nil, false
}

// eventTime parses an event's time (RFC 3339, as the spec's date-time).
func eventTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("eventTime %q is not an RFC 3339 date-time", clip(s))
	}
	return t.UTC(), nil
}

// key identifies an event for idempotent ingestion: its run, type and
// time (the same instant in another zone is the same event).
func key(ev *RunEvent, t time.Time) state.UsageKey {
	sum := sha256.Sum256([]byte(ev.Run.RunID + "\x00" + ev.EventType + "\x00" + t.Format(time.RFC3339Nano)))
	return state.UsageKey(sum[:12])
}

func clip(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}
