package logging

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
)

// WithScrub returns a logger that replaces each of the secret values in
// every message and attribute before it is written. Secrets have their own
// redaction where code knows them; this catches what it does not, such as a
// panic's message or an error that quotes a URL with its key.
func WithScrub(l *slog.Logger, secrets []string) *slog.Logger {
	if len(secrets) == 0 {
		return l
	}
	return slog.New(scrubHandler{l.Handler(), strings.NewReplacer(pairs(secrets)...)})
}

func pairs(secrets []string) []string {
	var out []string
	for _, s := range secrets {
		out = append(out, s, "[redacted]")
	}
	return out
}

type scrubHandler struct {
	next slog.Handler
	r    *strings.Replacer
}

func (h scrubHandler) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }

func (h scrubHandler) Handle(ctx context.Context, rec slog.Record) error {
	out := slog.NewRecord(rec.Time, rec.Level, h.r.Replace(rec.Message), rec.PC)
	rec.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(h.attr(a))
		return true
	})
	return h.next.Handle(ctx, out)
}

func (h scrubHandler) WithAttrs(as []slog.Attr) slog.Handler {
	scrubbed := make([]slog.Attr, len(as))
	for i, a := range as {
		scrubbed[i] = h.attr(a)
	}
	return scrubHandler{h.next.WithAttrs(scrubbed), h.r}
}

func (h scrubHandler) WithGroup(name string) slog.Handler {
	return scrubHandler{h.next.WithGroup(name), h.r}
}

func (h scrubHandler) attr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, h.r.Replace(v.String()))
	case slog.KindGroup:
		g := v.Group()
		out := make([]any, len(g))
		for i, x := range g {
			out[i] = h.attr(x)
		}
		return slog.Group(a.Key, out...)
	case slog.KindAny:
		switch x := v.Any().(type) {
		case error, fmt.Stringer:
			return slog.String(a.Key, h.r.Replace(fmt.Sprint(x)))
		}
	}
	return slog.Attr{Key: a.Key, Value: v}
}
