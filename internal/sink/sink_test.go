package sink

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/event"
)

type recorder struct {
	name    string
	batches []Batch
	err     error
}

func (r *recorder) Name() string { return r.name }
func (r *recorder) Deliver(_ context.Context, b Batch) error {
	r.batches = append(r.batches, b)
	return r.err
}

func filter(t *testing.T, inc, exc string) event.Filter {
	i, err := event.ParseGlobList(inc)
	require.NoError(t, err)
	e, err := event.ParseGlobList(exc)
	require.NoError(t, err)
	return event.Filter{Include: i, Exclude: e}
}

func events(codes ...string) []event.Event {
	var out []event.Event
	for i, c := range codes {
		out = append(out, event.Event{ID: event.ID(i + 1), ActivityCode: c})
	}
	return out
}

func TestEachRouteGetsWhatItsFilterPasses(t *testing.T) {
	a, b := &recorder{name: "a"}, &recorder{name: "b"}
	d := Dispatcher{Routes: []Route{{Sink: a, Filter: filter(t, "*", "user.*")}, {Sink: b, Filter: filter(t, "user.*", "")}}}
	require.NoError(t, d.Dispatch(t.Context(), events("policy.update", "user.join", "peer.user.add")))
	require.Len(t, a.batches, 1)
	require.Equal(t, []event.ID{1, 3}, ids(a.batches[0]))
	require.Equal(t, []event.ID{2}, ids(b.batches[0]))
}

func TestARouteWithNothingToSayIsNotCalled(t *testing.T) {
	a := &recorder{name: "a"}
	d := Dispatcher{Routes: []Route{{Sink: a, Filter: filter(t, "policy.*", "")}}}
	require.NoError(t, d.Dispatch(t.Context(), events("user.join")))
	require.Empty(t, a.batches)
}

func TestEveryRouteIsTriedAndAllErrorsAreJoined(t *testing.T) {
	a, b, c := &recorder{name: "a", err: errors.New("down")}, &recorder{name: "b"}, &recorder{name: "c", err: errors.New("refused")}
	d := Dispatcher{Routes: []Route{{Sink: a, Filter: filter(t, "*", "")}, {Sink: b, Filter: filter(t, "*", "")}, {Sink: c, Filter: filter(t, "*", "")}}}
	err := d.Dispatch(t.Context(), events("x"))
	require.ErrorContains(t, err, "deliver to a: down")
	require.ErrorContains(t, err, "deliver to c: refused")
	require.Len(t, b.batches, 1)
	require.Equal(t, []string{"a", "b", "c"}, d.Names())
}

func ids(b Batch) []event.ID {
	var out []event.ID
	for _, e := range b.Events {
		out = append(out, e.ID)
	}
	return out
}

func TestStreamRowsGoOnlyWhereTheStreamsFilterPassesThem(t *testing.T) {
	a, b := &recorder{name: "a"}, &recorder{name: "b"}
	d := Dispatcher{Routes: []Route{
		{Sink: a, Filter: filter(t, "*", ""), Streams: map[string]event.Filter{event.StreamTraffic: filter(t, "TYPE_DROP", "ROUTED")}},
		{Sink: b, Filter: filter(t, "*", "")}, // takes audit events only
	}}
	rows := []event.Event{
		{Stream: event.StreamTraffic, Key: "blocked", ActivityCode: "traffic.blocked", Labels: []string{"TYPE_DROP", "P2P"}},
		{Stream: event.StreamTraffic, Key: "routed", ActivityCode: "traffic.blocked", Labels: []string{"TYPE_DROP", "ROUTED"}},
		{Stream: event.StreamTraffic, Key: "ended", ActivityCode: "traffic.ended", Labels: []string{"TYPE_END", "P2P"}},
		{Stream: event.StreamProxy, Key: "p", ActivityCode: "proxy.failed", Labels: []string{"failed", "401"}},
	}
	require.NoError(t, d.Dispatch(t.Context(), rows))
	require.Len(t, a.batches, 1)
	require.Len(t, a.batches[0].Events, 1)
	require.Equal(t, "blocked", a.batches[0].Events[0].Key, "the audit filter '*' does not let stream rows through")
	require.Empty(t, b.batches)
}

func TestADirectRouteGetsABatchOnlyAfterEveryQueuedRouteTookIt(t *testing.T) {
	stdout, box, other := &recorder{name: "stdout"}, &recorder{name: "box", err: errors.New("disk full")}, &recorder{name: "other"}
	d := Dispatcher{Routes: []Route{{Sink: stdout, Filter: filter(t, "*", ""), Direct: true}, {Sink: box, Filter: filter(t, "*", "")}, {Sink: other, Filter: filter(t, "*", "")}}}
	for range 3 { // the poll offers the batch again while the outbox fails
		require.ErrorContains(t, d.Dispatch(t.Context(), events("a")), "deliver to box: disk full")
	}
	require.Empty(t, stdout.batches, "nothing printed that will be offered again")
	require.Len(t, other.batches, 3, "every queued route is still tried (outboxes take a batch once)")
	box.err = nil
	require.NoError(t, d.Dispatch(t.Context(), events("a")))
	require.Len(t, stdout.batches, 1)
}

func TestNoticeEventsAreAlertsThenWhatTheBatchLeavesOut(t *testing.T) {
	now := time.Date(2026, 12, 6, 2, 0, 0, 0, time.UTC)
	evs := Batch{Alerts: []string{"NetBird API unreachable for 10 min"}, Dropped: 2, Skipped: 3}.NoticeEvents("splunk", now)
	require.Len(t, evs, 3)
	require.Equal(t, "birdseye.alert", evs[0].ActivityCode)
	require.Equal(t, "birdseye.notice", evs[1].ActivityCode)
	require.Equal(t, "2 events dropped: the splunk outbox was full (SINK_QUEUE_MAX)", evs[1].Activity)
	require.Equal(t, "skipped 3 older events on catch-up (MAX_CATCHUP)", evs[2].Activity)
	require.Equal(t, "birdseye", evs[2].Stream)
	require.Equal(t, "2026-12-06T02:00:00Z", evs[0].Timestamp)
	require.Empty(t, Batch{}.NoticeEvents("x", now))
}

type tally struct{ forwarded, rejected int }

func (t *tally) Delivered(_ string, forwarded, _, _ int) { t.forwarded += forwarded }
func (t *tally) Rejected(_ string, n int)                { t.rejected += n }

// A batch taken with records refused counts the rest as forwarded; a head
// taken before a failure counts the head, and what it had refused.
func TestCountTellsRefusedRecordsApartFromForwardedOnes(t *testing.T) {
	b := Batch{Events: make([]event.Event, 10)}
	c := &tally{}
	Count(c, "otlp", b, &RejectedError{Rejected: 3, Of: 10, Err: errors.New("refused")})
	require.Equal(t, tally{forwarded: 7, rejected: 3}, *c)
	c = &tally{}
	Count(c, "otlp", b, &PartialError{Delivered: 4, Err: errors.Join(errors.New("busy"), JoinRejected(&RejectedError{Rejected: 1, Of: 4, Err: errors.New("refused")}))})
	require.Equal(t, tally{forwarded: 4, rejected: 1}, *c)
	require.Nil(t, JoinRejected(), "no refusal, no error")
}
