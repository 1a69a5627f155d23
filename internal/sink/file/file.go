// Package file writes events as JSON Lines to a file for log shippers that
// tail files (Vector, Promtail, Fluent Bit, Filebeat): one event a line in
// birdseye's event schema, the file rotated by size (path.1, path.2, …,
// keeping Keep of them), each batch synced before the outbox lets go of it.
package file

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/styliteag/birdseye/internal/event"
	"github.com/styliteag/birdseye/internal/sink"
)

// Config is FILE_SINK_*.
type Config struct {
	Path     string
	MaxBytes int64 // rotate when the file would grow past this (0 = never)
	Keep     int   // rotated files kept
}

// Sink appends JSON lines to a file. It is safe for concurrent use.
type Sink struct {
	cfg Config
	mu  sync.Mutex
}

// New returns a file sink.
func New(cfg Config) *Sink { return &Sink{cfg: cfg} }

func (s *Sink) Name() string { return "file" }

// Check tells whether the file's directory takes a new file, without
// touching the file itself: doctor's probe.
func (s *Sink) Check(context.Context) error {
	f, err := os.CreateTemp(filepath.Dir(s.cfg.Path), ".birdseye-doctor-*")
	if err != nil {
		return fmt.Errorf("file sink: %w", err)
	}
	f.Close()
	return os.Remove(f.Name())
}

// Deliver appends the batch (notices as birdseye.alert / birdseye.notice
// lines first) in one write, then syncs.
func (s *Sink) Deliver(ctx context.Context, b sink.Batch) error {
	if b.Empty() {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	var buf []byte
	now := time.Now().UTC().Format(time.RFC3339Nano)
	line := func(e event.Event) {
		raw, _ := json.Marshal(e)
		buf = append(append(buf, raw...), '\n')
	}
	for i, text := range b.Notices("file") {
		code := "birdseye.notice"
		if i < len(b.Alerts) {
			code = "birdseye.alert"
		}
		line(event.Event{ActivityCode: code, Activity: text, InitiatorLabel: "birdseye", Timestamp: now, Stream: "birdseye"})
	}
	for _, e := range b.Events {
		line(e)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.rotate(int64(len(buf))); err != nil {
		return err
	}
	f, err := os.OpenFile(s.cfg.Path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o640)
	if err != nil {
		return fmt.Errorf("file sink: %w", err)
	}
	if _, err := f.Write(buf); err != nil {
		f.Close()
		return fmt.Errorf("file sink: write %s: %w", s.cfg.Path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("file sink: sync %s: %w", s.cfg.Path, err)
	}
	return f.Close()
}

// rotate moves path to path.1 (path.1 to path.2, …) when adding n bytes
// would pass MaxBytes. Shippers follow the rename (they tail by inode) and
// then read the new file from its start.
func (s *Sink) rotate(n int64) error {
	if s.cfg.MaxBytes <= 0 {
		return nil
	}
	st, err := os.Stat(s.cfg.Path)
	if err != nil || st.Size() == 0 || st.Size()+n <= s.cfg.MaxBytes {
		return nil
	}
	keep := max(s.cfg.Keep, 1)
	os.Remove(fmt.Sprintf("%s.%d", s.cfg.Path, keep))
	for i := keep - 1; i >= 1; i-- {
		os.Rename(fmt.Sprintf("%s.%d", s.cfg.Path, i), fmt.Sprintf("%s.%d", s.cfg.Path, i+1))
	}
	if err := os.Rename(s.cfg.Path, s.cfg.Path+".1"); err != nil {
		return fmt.Errorf("file sink: rotate %s: %w", s.cfg.Path, err)
	}
	if d, err := os.Open(filepath.Dir(s.cfg.Path)); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}
