package git

import (
	"testing"

	"github.com/meshc-dev/meshc/pkg/state"
	"github.com/meshc-dev/meshc/pkg/state/statetest"
)

// BenchmarkApply measures one apply's exchanges with the remote: Read,
// Lock, Write, Unlock, with a warm clone.
func BenchmarkApply(b *testing.B) {
	for _, bb := range []struct {
		name   string
		remote func(testing.TB) remote
	}{{"file", fileRemote}, {"daemon", daemonRemote}} {
		b.Run(bb.name, func(b *testing.B) {
			r := bb.remote(b)
			st := state.NewStore(r.open(b, b.TempDir()))
			c := statetest.Sample()
			for b.Loop() {
				live, err := st.Read(b.Context())
				if err != nil {
					b.Fatal(err)
				}
				l, err := st.Lock(b.Context(), "bench")
				if err != nil {
					b.Fatal(err)
				}
				c.Serial, c.Lineage = live.Serial, live.Lineage
				c.History = append(live.History, state.Entry{Serial: live.Serial + 1, User: "bench"})
				if err := l.Write(b.Context(), c, live.Serial); err != nil {
					b.Fatal(err)
				}
				if err := l.Unlock(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
