// Package logging builds the one slog logger birdseye writes its diagnostics
// with: to stderr, as text for people or JSON for log shippers. Event lines
// never go through it; they are the stdout sink's.
package logging

import (
	"io"
	"log/slog"
	"strings"
)

// oneLineErrors writes an error (errors.Join puts each on a line of its
// own) as "first; second": a logfmt value full of \n reads badly.
func oneLineErrors(_ []string, a slog.Attr) slog.Attr {
	var msg string
	switch v := a.Value.Any().(type) {
	case error:
		msg = v.Error()
	case string:
		if a.Key != "err" {
			return a
		}
		msg = v
	default:
		return a
	}
	if strings.Contains(msg, "\n") {
		return slog.String(a.Key, strings.ReplaceAll(strings.TrimSpace(msg), "\n", "; "))
	}
	return a
}

// New returns a logger for LOG_LEVEL and LOG_FORMAT (already validated).
func New(w io.Writer, level, format string) *slog.Logger {
	var l slog.Level
	switch strings.ToLower(level) {
	case "debug":
		l = slog.LevelDebug
	case "warn":
		l = slog.LevelWarn
	case "error":
		l = slog.LevelError
	default:
		l = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: l, ReplaceAttr: oneLineErrors}
	if strings.EqualFold(format, "json") {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
