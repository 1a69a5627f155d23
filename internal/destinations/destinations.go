package destinations

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/styliteag/birdseye/internal/config"
	"github.com/styliteag/birdseye/internal/event"
	"github.com/styliteag/birdseye/internal/sink"
	"github.com/styliteag/birdseye/internal/sink/stdout"
)

// Configured are the destinations the configuration turns on (the table
// All), built without outboxes, stdout first: for `sinks test` and
// doctor.
func Configured(cfg *config.Config, out io.Writer) ([]sink.Sink, error) {
	all := []sink.Sink{stdout.New(out, cfg.Log.TZ.Loc)}
	for _, sp := range All {
		if !sp.On(cfg) {
			continue
		}
		s, err := sp.Build(cfg)
		if err != nil {
			return nil, err
		}
		all = append(all, s)
	}
	return all, nil
}

// Result is how one destination took the sample event.
type Result struct {
	Sink string
	Err  error
}

// Test sends one sample event, straight (no outbox, no filter), to
// every configured destination or to the one named, and says how each took
// UnknownError is a sink name `sinks test` was given that is not
// configured; the command words it as its argument's error.
type UnknownError struct {
	Name       string
	Configured []string
}

func (e *UnknownError) Error() string {
	return fmt.Sprintf("%q is not a configured sink; expected one of: %s", e.Name, strings.Join(e.Configured, ", "))
}

// it.
func Test(ctx context.Context, cfg *config.Config, out io.Writer, name string) ([]Result, error) {
	all, err := Configured(cfg, out)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, s := range all {
		names = append(names, s.Name())
	}
	if name != "" && !slices.Contains(names, name) {
		return nil, &UnknownError{Name: name, Configured: names}
	}
	host, _ := os.Hostname()
	sample := event.Event{ActivityCode: "birdseye.test", Activity: "birdseye sink test from " + host, InitiatorID: "sys", InitiatorLabel: "birdseye",
		Stream: event.StreamWatch, Key: fmt.Sprint("birdseye.test|", time.Now().UnixNano()), TargetID: host,
		Timestamp: time.Now().UTC().Format(time.RFC3339Nano), Meta: event.Meta{{Key: "host", Value: host}}}
	var results []Result
	for _, s := range all {
		if name != "" && s.Name() != name {
			continue
		}
		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		err := s.Deliver(ctx, sink.Batch{Events: []event.Event{sample}})
		cancel()
		if c, ok := s.(io.Closer); ok {
			c.Close()
		}
		results = append(results, Result{Sink: s.Name(), Err: err})
	}
	return results, nil
}
