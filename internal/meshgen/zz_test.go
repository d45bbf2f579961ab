package meshgen_test

import (
	"context"
	"testing"

	"github.com/meshc-dev/meshc/pkg/config"
	"github.com/meshc-dev/meshc/pkg/mesh"
)

func BenchmarkZZTiny(b *testing.B) {
	cfg, err := config.Load("/work/b1k/mesh.cue")
	if err != nil {
		b.Fatal(err)
	}
	for _, in := range []bool{true, false} {
		name := map[bool]string{true: "in", false: "child"}[in]
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				o := mesh.Options{}
				o.Compile.InProcess = in
				if _, err := mesh.Load(context.Background(), cfg, o); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
