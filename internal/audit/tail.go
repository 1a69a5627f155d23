package audit

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"

	"github.com/styliteag/birdseye/internal/event"
	"github.com/styliteag/birdseye/internal/render"
	"github.com/styliteag/birdseye/internal/state"
)

// TailOptions configure `birdseye events`.
type TailOptions struct {
	Initial  int           // newest events to show first
	Interval time.Duration // between polls
	Once     bool          // show the newest and stop
	Color    bool
	JSON     bool // one JSON object per line (the API's fields plus initiator_label)
	Loc      *time.Location
	Errors   io.Writer // where failed polls are reported
}

// Tail prints the newest events, then new ones as they arrive, in the
// stdout line format. A failed poll is reported and retried; an error no
// retry can fix (a refused token) ends it.
func Tail(ctx context.Context, src Source, res Resolver, opt TailOptions, w io.Writer) error {
	list, err := src.ListAuditEvents(ctx, func(event.ID) bool { return opt.Initial > 0 })
	if err != nil {
		return classify(err)
	}
	evs := list.Events
	slices.SortFunc(evs, func(a, b event.Event) int { return cmp.Compare(a.ID, b.ID) })
	show := evs[max(0, len(evs)-opt.Initial):]
	print := func(evs []event.Event) {
		res.Resolve(ctx, evs)
		for _, e := range evs {
			if opt.JSON {
				b, _ := json.Marshal(e)
				fmt.Fprintln(w, string(b))
				continue
			}
			if opt.Color {
				fmt.Fprintln(w, render.ColorLine(e, opt.Loc))
			} else {
				fmt.Fprintln(w, render.Line(e, opt.Loc))
			}
		}
	}
	print(show)
	if opt.Once {
		return nil
	}
	cursor := state.Seed(list.MaxID)
	if !opt.JSON {
		printBanner(w, opt)
	}
	t := time.NewTimer(opt.Interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		t.Reset(opt.Interval)
		list, err := src.ListAuditEvents(ctx, cursor.IsNew)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			if err := classify(err); errors.Is(err, ErrFatal) {
				return err
			}
			fmt.Fprintf(opt.Errors, "birdseye: poll failed, retrying in %s: %v\n", opt.Interval, err)
			continue
		}
		evs := list.Events
		slices.SortFunc(evs, func(a, b event.Event) int { return cmp.Compare(a.ID, b.ID) })
		print(evs)
		ids := make([]event.ID, len(evs))
		for i, e := range evs {
			ids[i] = e.ID
		}
		cursor.Advance(ids, time.Now())
	}
}

func printBanner(w io.Writer, opt TailOptions) {
	banner := "-- streaming new events every " + strconv.FormatFloat(opt.Interval.Seconds(), 'f', -1, 64) + "s --"
	if opt.Color {
		banner = "\x1b[2m" + banner + "\x1b[0m"
	}
	fmt.Fprintln(w, banner)
}
