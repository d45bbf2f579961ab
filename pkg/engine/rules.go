package engine

import (
	"github.com/meshc-dev/meshc/pkg/compile"
	"github.com/meshc-dev/meshc/pkg/config"
	"github.com/meshc-dev/meshc/pkg/rule"
)

// Rules returns the rules of the mesh whose mesh.cue is at configPath:
// every registered rule and those its platform policies name ("// rule:
// ID" above a constraint). It reads mesh.cue and the policies, nothing
// else; an empty configPath is the registered rules alone.
func Rules(configPath string) (*rule.Set, error) {
	if configPath == "" {
		return nil, nil
	}
	cfg, err := config.Load(configPath)
	if err != nil {
		return nil, err
	}
	s, _, err := compile.LoadSchema(cfg)
	if err != nil {
		return nil, err
	}
	return rule.WithRules(s.Rules()), nil
}
