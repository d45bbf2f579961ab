package cli

import (
	"fmt"

	"github.com/meshc-dev/meshc/pkg/config"
	"github.com/meshc-dev/meshc/pkg/state"
	_ "github.com/meshc-dev/meshc/pkg/state/all" // every backend this meshc has
)

// openStore opens the live catalog that flag (--state) names, else the
// one mesh.cue's state names. A location this meshc has no backend for
// is an error before anything is read or created.
func openStore(flag string, cfg *config.Config) (state.Store, error) {
	if flag != "" {
		spec, err := state.ParseURL(flag, "")
		if err != nil {
			return nil, fmt.Errorf("--state: %w", err)
		}
		s, err := state.Open(spec)
		if err != nil {
			return nil, fmt.Errorf("--state: %w", err)
		}
		return s, nil
	}
	s, err := state.Open(state.Spec{
		Backend: cfg.State.Backend,
		Path:    cfg.State.Path,
		URL:     cfg.State.URL,
		Repo:    cfg.State.Repo,
		Branch:  cfg.State.Branch,
		BaseDir: cfg.Root,
	})
	if err != nil {
		where := cfg.Rel(cfg.File)
		if cfg.State.Pos.IsValid() {
			where = cfg.State.Pos.String()
		}
		return nil, fmt.Errorf("%s: state: %w", where, err)
	}
	return s, nil
}
