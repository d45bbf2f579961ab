package cli

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/meshc-dev/meshc/pkg/scaffold"
)

func runInit(_ context.Context, e *Env, args []string) error {
	fs := e.flags("init")
	var o scaffold.Options
	dir := fs.String("dir", ".", "write the domain repository's files into `DIR`")
	fs.StringVar(&o.Domain, "domain", "", "the domain's `name` in the platform's mesh.cue (required)")
	fs.StringVar(&o.Team, "team", "", "the owning team's `name` (required)")
	fs.StringVar(&o.GitHub, "github", "", "the team's GitHub `handle`, e.g. @acme/orders (required)")
	fs.StringVar(&o.Email, "email", "", "the team's shared `mailbox`")
	fs.StringVar(&o.PlatformRepo, "platform-repo", "", "the platform repository `owner/name` whose mesh.cue lists the domain (required)")
	if err := fs.parseNone(args); err != nil {
		return err
	}
	o.MeshcVersion = releaseVersion()
	files, err := scaffold.Domain(o)
	if err != nil {
		return err
	}
	names := slices.Sorted(maps.Keys(files))
	for _, name := range names {
		if _, err := os.Stat(filepath.Join(*dir, name)); err == nil {
			return (fmt.Errorf("%s exists already: meshc init writes a new domain repository and overwrites nothing", filepath.Join(*dir, name)))
		}
	}
	for _, name := range names {
		p := filepath.Join(*dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, files[name], 0o644); err != nil {
			return err
		}
		fmt.Fprintf(e.Stdout, "wrote %s\n", p)
	}
	fmt.Fprintf(e.Stdout, "\nNext: ask the platform team to add domain %s to mesh.cue in %s, describe your products in %s, and open a pull request.\n",
		o.Domain, o.PlatformRepo, scaffold.ProductsFile)
	return nil
}

// releaseVersion is the released meshc version the scaffolded workflows
// install ("v1.2.0"), or "" for a development build.
func releaseVersion() string {
	if strings.HasPrefix(Version, "v") {
		return Version
	}
	if info, ok := debug.ReadBuildInfo(); ok && released(info.Main.Version) {
		return info.Main.Version
	}
	return ""
}

// pseudoVersion matches the versions Go makes up for untagged commits:
// v0.0.0-20261201210946-db3c54abd377, v1.2.4-0.2026..., with +dirty.
var pseudoVersion = regexp.MustCompile(`-(0\.)?\d{14}-[0-9a-f]{12}(\+dirty)?$`)

// released reports whether v names a tagged release, not a pseudo-version.
func released(v string) bool {
	return strings.HasPrefix(v, "v") && !pseudoVersion.MatchString(v) && !strings.HasSuffix(v, "+dirty")
}
