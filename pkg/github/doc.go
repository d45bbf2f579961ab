// Package github owns meshc's GitHub integration: it reads the GitHub
// Actions environment (Env), and publishes a run's report (Publish) as a
// sticky pull-request comment, a check run with file:line annotations, the
// job summary and step outputs, falling back to workflow commands when the
// token cannot write.
//
// It may import plan, diag and render. Core packages never import it; only
// the CLI does.
package github
