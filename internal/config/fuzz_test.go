package config

import (
	"strings"
	"testing"
	"time"
)

// FuzzDotEnvLine: no line makes the .env reader panic, and what it accepts
// has a key without spaces or quotes.
func FuzzDotEnvLine(f *testing.F) {
	f.Fuzz(func(t *testing.T, line string) {
		key, _, ok, err := parseDotEnvLine(line)
		if ok && (err != nil || key == "" || strings.ContainsAny(key, " \t\"'")) {
			t.Fatalf("accepted %q as key %q (err %v)", line, key, err)
		}
	})
}

// FuzzDecoders: no value makes a decoder panic; an accepted duration is
// positive and at most a year; an accepted count is not negative.
func FuzzDecoders(f *testing.F) {
	f.Fuzz(func(t *testing.T, v string) {
		var s Seconds
		if err := s.Decode(v); err == nil && strings.TrimSpace(v) != "" && (s.D() < time.Millisecond || s.D() > 366*24*time.Hour) {
			t.Fatalf("Seconds accepted %q as %v", v, s.D())
		}
		var c Count
		if err := c.Decode(v); err == nil && c < 0 {
			t.Fatalf("Count accepted %q as %d", v, c)
		}
		var b Bool
		_ = b.Decode(v)
		var g Globs
		if err := g.Decode(v); err == nil {
			for _, gl := range g.Globs {
				gl.Match(v)
			}
		}
		var l Location
		_ = l.Decode(v)
	})
}
