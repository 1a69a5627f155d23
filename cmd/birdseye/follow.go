package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/styliteag/birdseye/internal/follow"
	"github.com/styliteag/birdseye/internal/netbird"
	"github.com/styliteag/birdseye/internal/traffic"
)

// tailFlags are the flags every `… tail` command shares.
type tailFlags struct {
	Initial  int     `default:"10" help:"How many of the newest rows to show first (0 = none)."`
	Interval float64 `placeholder:"SECONDS" default:"15" help:"Seconds between polls (decimals allowed)."`
	Output   string  `short:"o" enum:"line,json" default:"line" help:"Output: line (for people) or json (one object per line)."`
}

func (t tailFlags) check() error {
	if t.Interval <= 0 {
		return &flagError{Flag: "--interval", Msg: fmt.Sprintf("=%g is not a positive number of seconds; expected e.g. 15 or 0.5", t.Interval)}
	}
	if t.Initial < 0 || t.Initial > 10000 {
		return &flagError{Flag: "--initial", Msg: fmt.Sprintf("=%d is out of range; expected 0 to 10000", t.Initial)}
	}
	return nil
}

// printRows writes rows as lines or as one JSON object a line.
func printRows[T any](w io.Writer, asJSON bool, rows []T, line func(T) string) {
	for _, r := range rows {
		if asJSON {
			b, _ := json.Marshal(r)
			fmt.Fprintln(w, string(b))
		} else {
			fmt.Fprintln(w, line(r))
		}
	}
}

// tailRows is every `… tail` command: the newest rows, then the rows after
// the cursor every interval, as lines or JSON, until ctx ends.
func tailRows[T, C any](ctx context.Context, e *env, name string, fl tailFlags, line func(T) string,
	newest func() ([]T, C, error), poll func(C) ([]T, C, error)) error {
	rows, cur, err := newest()
	if err != nil {
		return adminHint(err)
	}
	printRows(e.stdout, fl.Output == "json", rows, line)
	return followRows(ctx, e, name, fl.Interval, func() error {
		rows, next, err := poll(cur)
		printRows(e.stdout, fl.Output == "json", rows, line)
		cur = next
		return err
	})
}

// followRows calls poll every interval until ctx ends (internal/follow). A
// failed poll is reported and retried, except what no retry fixes: a
// refused token, or an endpoint the server does not have.
func followRows(ctx context.Context, e *env, name string, interval float64, poll func() error) error {
	fatal := func(err error) error {
		var ne *netbird.Error
		if errors.As(err, &ne) && (ne.Status == 401 || ne.Status == 403 || ne.Status == 404) {
			return adminHint(err)
		}
		return nil
	}
	report := func(err error) { fmt.Fprintln(e.stderr, "birdseye:", name+":", err, "(retrying)") }
	return follow.Run(ctx, time.Duration(interval*float64(time.Second)), func(context.Context) error { return poll() }, fatal, report)
}

// timeWindow reads --since and --until.
func timeWindow(since, until string, now time.Time) (start, end time.Time, err error) {
	if start, err = traffic.ParseTime(since, now); err != nil {
		return start, end, &flagError{Flag: "--since", Msg: err.Error()}
	}
	if end, err = traffic.ParseTime(until, now); err != nil {
		return start, end, &flagError{Flag: "--until", Msg: err.Error()}
	}
	if !start.IsZero() && !end.IsZero() && end.Before(start) {
		return start, end, &flagError{Flag: "--until", Msg: "is before --since; expected a later time"}
	}
	return start, end, nil
}
