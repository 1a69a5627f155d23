//go:build tools

// Package netbird pins the real NetBird management server the tests start
// (internal/netbird/realtest): a module of its own, so that none of its
// dependencies reach birdseye's go.mod or binary.
package netbird

import _ "github.com/netbirdio/netbird/management"
