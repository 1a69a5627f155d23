//go:build tools

// Package promtool pins Prometheus's promtool, which the tests run on the
// shipped alert rules (check rules, test rules) and dashboard queries: a
// module of its own, so that none of Prometheus's dependencies reach
// birdseye's go.mod or binary.
package promtool

import _ "github.com/prometheus/prometheus/cmd/promtool"
