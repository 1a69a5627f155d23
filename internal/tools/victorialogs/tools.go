//go:build tools

// Package victorialogs pins the log store the machine sinks' tests send to
// (github.com/VictoriaMetrics/VictoriaLogs, Apache-2.0): it takes Splunk's
// HTTP Event Collector, Elasticsearch's _bulk, Loki's push API and OTLP
// logs, each with an implementation of its own. A module of its own, so
// that none of its dependencies reach birdseye's go.mod or binary.
package victorialogs

import _ "github.com/VictoriaMetrics/VictoriaLogs/app/victoria-logs"
