package audit

import (
	"cmp"
	"container/heap"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"

	"github.com/styliteag/birdseye/internal/event"
	"github.com/styliteag/birdseye/internal/follow"
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

// newestIDs keeps the n highest ids seen so far, for a scan that should
// decode only the newest n entries of the list. The list comes newest
// first, so after its first n entries almost nothing else is decoded.
type newestIDs struct {
	n   int
	ids []event.ID // a min-heap of the n highest so far
}

func (t *newestIDs) keep(id event.ID) bool {
	switch {
	case t.n <= 0:
		return false
	case len(t.ids) < t.n:
		heap.Push((*idHeap)(&t.ids), id)
		return true
	case id > t.ids[0]:
		t.ids[0] = id
		heap.Fix((*idHeap)(&t.ids), 0)
		return true
	}
	return false
}

type idHeap []event.ID

func (h idHeap) Len() int           { return len(h) }
func (h idHeap) Less(i, j int) bool { return h[i] < h[j] }
func (h idHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *idHeap) Push(x any)        { *h = append(*h, x.(event.ID)) }
func (h *idHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// Tail prints the newest events, then new ones as they arrive, in the
// stdout line format. A failed poll is reported and retried; an error no
// retry can fix (a refused token) ends it.
func Tail(ctx context.Context, src Source, res Resolver, opt TailOptions, w io.Writer) error {
	top := newestIDs{n: opt.Initial}
	list, err := src.ListAuditEvents(ctx, top.keep)
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
	poll := func(ctx context.Context) error {
		list, err := src.ListAuditEvents(ctx, cursor.IsNew)
		if err != nil {
			return err
		}
		evs := list.Events
		slices.SortFunc(evs, func(a, b event.Event) int { return cmp.Compare(a.ID, b.ID) })
		print(evs)
		ids := make([]event.ID, len(evs))
		for i, e := range evs {
			ids[i] = e.ID
		}
		cursor.Advance(ids, time.Now())
		return nil
	}
	fatal := func(err error) error {
		if err := classify(err); errors.Is(err, ErrFatal) {
			return err
		}
		return nil
	}
	report := func(err error) {
		fmt.Fprintf(opt.Errors, "birdseye: poll failed, retrying in %s: %v\n", opt.Interval, err)
	}
	return follow.Run(ctx, opt.Interval, poll, fatal, report)
}

func printBanner(w io.Writer, opt TailOptions) {
	banner := "-- streaming new events every " + strconv.FormatFloat(opt.Interval.Seconds(), 'f', -1, 64) + "s --"
	if opt.Color {
		banner = "\x1b[2m" + banner + "\x1b[0m"
	}
	fmt.Fprintln(w, banner)
}
