// Package config loads mesh.cue, the platform repository's one config file:
// the platform's name and policies, where each domain's CUE lives, the live
// catalog's backend and lifecycle settings. It checks mesh.cue against the
// embedded #Config schema.
//
// It must not import any later stage (source, compile, check, render, cli).
package config
