package all

import (
	_ "github.com/meshc-dev/meshc/pkg/state/file"
	_ "github.com/meshc-dev/meshc/pkg/state/git"
	_ "github.com/meshc-dev/meshc/pkg/state/postgres"
)
