// Package stdout is the sink that prints one line per event on standard
// output (read with `docker logs`), in the old tool's format. Diagnostics
// never go here: they go to stderr through log/slog.
package stdout

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/styliteag/birdseye/internal/render"
	"github.com/styliteag/birdseye/internal/sink"
)

// Sink writes event lines to W.
type Sink struct {
	mu  sync.Mutex
	w   io.Writer
	loc *time.Location
}

// New returns a sink writing to w with times shown in loc.
func New(w io.Writer, loc *time.Location) *Sink { return &Sink{w: w, loc: loc} }

func (s *Sink) Name() string { return "stdout" }

// Deliver writes the batch as one write, so lines of concurrent batches never
// interleave and a batch is either printed or reported as failed.
func (s *Sink) Deliver(ctx context.Context, b sink.Batch) error {
	if len(b.Events) == 0 && b.Skipped == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var buf bytes.Buffer
	if b.Skipped > 0 {
		fmt.Fprintf(&buf, "skipped %d older events on catch-up\n", b.Skipped)
	}
	for _, e := range b.Events {
		buf.WriteString(render.Line(e, s.loc))
		buf.WriteByte('\n')
	}
	if _, err := s.w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("write to stdout: %w", err)
	}
	return nil
}
