// Package actions holds no Go code: it is meshc's GitHub Action
// (actions/meshc/action.yml) and the example workflows of its three callers
// (actions/workflows), and the test that lints them with actionlint.
package actions
