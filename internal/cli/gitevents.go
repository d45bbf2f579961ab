package cli

import (
	"fmt"
	"log/slog"

	"github.com/meshc-dev/meshc/pkg/source"
)

// gitNotify returns what tells the user of the git fetches' events: with
// log (reconcile --watch), as records; else on stderr, a slow fetch only
// when stderr is a terminal (a CI log needs no progress lines), a cached
// clone cloned again always. pkg/source makes the calls take turns.
func (e *Env) gitNotify(log *slog.Logger) func(source.Event) {
	return func(ev source.Event) {
		switch {
		case log != nil && ev.Kind == source.EventSlow:
			log.Info("fetching domain", "domain", ev.Domain, "url", ev.URL, "ref", ev.Ref, "elapsed_ms", ev.Elapsed.Milliseconds())
		case log != nil:
			log.Warn("cached clone unreadable, cloned again", "domain", ev.Domain, "url", ev.URL, "error", ev.Detail)
		case ev.Kind == source.EventSlow && !e.StderrTerminal:
		default:
			fmt.Fprintf(e.Stderr, "meshc: %s\n", ev)
		}
	}
}
