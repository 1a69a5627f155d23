// Package layering holds no code: its test reads the imports of every
// package (go list) and fails when one points the wrong way. The rules are
// written down in the test, next to why.
package layering
