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
	var po scaffold.PlatformOptions
	dir := fs.String("dir", ".", "write the repository's files into `DIR`")
	platform := fs.Bool("platform", false, "scaffold the platform repository instead: mesh.cue, policies/, the apply and reconcile workflows")
	fs.StringVar(&o.Domain, "domain", "", "the domain's `name` in the platform's mesh.cue (required for a domain)")
	fs.StringVar(&o.Team, "team", "", "the owning team's `name` (required for a domain)")
	fs.StringVar(&o.GitHub, "github", "", "the team's GitHub `handle`, e.g. @acme/orders (required for a domain)")
	fs.StringVar(&o.Email, "email", "", "the team's shared `mailbox`")
	fs.StringVar(&o.PlatformRepo, "platform-repo", "", "the platform repository `owner/name`: whose mesh.cue lists the domain, or, with --platform, the one scaffolded (required)")
	fs.StringVar(&po.Name, "name", "", "with --platform, the mesh's `name`, e.g. acme (required)")
	version := fs.String("meshc-version", "", "the meshc release the workflows pin (default: this meshc's, else "+scaffold.DefaultMeshcVersion+")")
	if err := fs.parseNone(args); err != nil {
		return err
	}
	ver := *version
	if ver == "" {
		ver = releaseVersion()
	}
	var files map[string][]byte
	var err error
	next := ""
	if *platform {
		for _, f := range []string{"domain", "team", "github", "email"} {
			if fs.isSet(f) {
				return fs.usageErr("--%s is for a domain repository: it does not go with --platform", f)
			}
		}
		po.Repo, po.MeshcVersion = o.PlatformRepo, ver
		files, err = scaffold.Platform(po)
		next = fmt.Sprintf("\nNext: push these files to %s, add the secret MESHC_DOMAINS_TOKEN, and list each domain in %s as its team runs meshc init --domain.\n", po.Repo, scaffold.MeshFile)
	} else {
		if fs.isSet("name") {
			return fs.usageErr("--name names a mesh: it goes with --platform")
		}
		o.MeshcVersion = ver
		files, err = scaffold.Domain(o)
		next = fmt.Sprintf("\nNext: ask the platform team to add domain %s to mesh.cue in %s, describe your products in %s, and open a pull request.\n",
			o.Domain, o.PlatformRepo, scaffold.ProductsFile)
	}
	if err != nil {
		return err
	}
	names := slices.Sorted(maps.Keys(files))
	for _, name := range names {
		if _, err := os.Stat(filepath.Join(*dir, name)); err == nil {
			return fmt.Errorf("%s exists already: meshc init writes a new repository and overwrites nothing", filepath.Join(*dir, name))
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
	fmt.Fprint(e.Stdout, next)
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
