//go:build tools

// Package versitygw pins the S3-compatible server the tests start
// (github.com/versity/versitygw, posix backend): a module of its own, so
// that none of its dependencies reach birdseye's go.mod or binary.
package versitygw

import _ "github.com/versity/versitygw/cmd/versitygw"
