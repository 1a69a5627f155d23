package mattermost

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/event"
	"github.com/styliteag/birdseye/internal/sink"
	"github.com/styliteag/birdseye/internal/sink/mattermost/mmfake"
)

const hook = "xk4ri7yz1bgu3jqe8cmoh5tnwa"

func setup(t *testing.T) (*mmfake.Server, *Sink, string) {
	t.Helper()
	mm := mmfake.New(hook)
	srv := httptest.NewServer(mm)
	t.Cleanup(srv.Close)
	url := srv.URL + "/hooks/" + hook
	return mm, New(Config{URL: url, Username: "birdseye", Channel: "netbird-audit", IconURL: "https://example.com/i.png"}, time.UTC), url
}

func ev(id event.ID, name string) event.Event {
	return event.Event{ID: id, ActivityCode: "policy.update", Timestamp: "2026-11-23T07:13:10Z", InitiatorName: "Admin",
		Meta: event.Meta{{Key: "name", Value: name}}}
}

func TestOnePostPerBatchWithTheConfiguredNames(t *testing.T) {
	mm, s, _ := setup(t)
	require.NoError(t, s.Deliver(t.Context(), sink.Batch{Events: []event.Event{ev(1, "A"), ev(2, "B")}}))
	posts := mm.Posts()
	require.Len(t, posts, 1)
	require.Equal(t, "`2026-11-23 07:13:10`  **Policy updated**: A  _Admin_\n`2026-11-23 07:13:10`  **Policy updated**: B  _Admin_", posts[0].Text)
	require.Equal(t, "birdseye", posts[0].Username)
	require.Equal(t, "netbird-audit", posts[0].Channel)
	require.Equal(t, "https://example.com/i.png", posts[0].IconURL)
}

func TestNoticesAndAlertsComeFirst(t *testing.T) {
	mm, s, _ := setup(t)
	require.NoError(t, s.Deliver(t.Context(), sink.Batch{Events: []event.Event{ev(9, "A")}, Skipped: 12, Dropped: 3,
		Alerts: []string{"NetBird API unreachable for 12 min (HTTP 502)"}}))
	lines := strings.Split(mm.Posts()[0].Text, "\n")
	require.Equal(t, []string{
		":rotating_light: **NetBird forwarder**: NetBird API unreachable for 12 min (HTTP 502)",
		":warning: 3 events dropped: the Mattermost outbox was full (SINK_QUEUE_MAX)",
		":warning: skipped 12 older events on catch-up",
		"`2026-11-23 07:13:10`  **Policy updated**: A  _Admin_",
	}, lines)
}

func TestLongBatchesAreSplitOnLineBoundariesInOrder(t *testing.T) {
	mm, s, _ := setup(t)
	var evs []event.Event
	for i := range 600 {
		evs = append(evs, ev(event.ID(i+1), fmt.Sprintf("policy-%04d-%s", i, strings.Repeat("ü", 20))))
	}
	require.NoError(t, s.Deliver(t.Context(), sink.Batch{Events: evs}))
	posts := mm.Posts()
	require.Greater(t, len(posts), 2)
	require.Equal(t, len(posts), mm.Requests(), "birdseye split the text itself; Mattermost had nothing to cut")
	var lines []string
	for _, p := range posts {
		require.LessOrEqual(t, utf8.RuneCountInString(p.Text), MaxRunes)
		lines = append(lines, strings.Split(p.Text, "\n")...)
	}
	require.Len(t, lines, 600)
	for i, l := range lines {
		require.Contains(t, l, fmt.Sprintf("policy-%04d-", i))
	}
}

func TestALaterPostFailingSaysHowManyEventsWentOut(t *testing.T) {
	mm, s, _ := setup(t)
	var evs []event.Event
	for i := range 600 {
		evs = append(evs, ev(event.ID(i+1), fmt.Sprintf("policy-%04d-%s", i, strings.Repeat("ü", 20))))
	}
	mm.FailNext(0, 503) // the first post goes through, the second fails
	err := s.Deliver(t.Context(), sink.Batch{Events: evs, Alerts: []string{"x"}, Skipped: 2})
	var partial *sink.PartialError
	require.ErrorAs(t, err, &partial)
	first := mm.Posts()[0].Text
	require.Equal(t, strings.Count(first, "**Policy updated**"), partial.Delivered)
	require.Positive(t, partial.Delivered)
}

func TestErrorsAreClassifiedAndNeverShowTheHook(t *testing.T) {
	mm, s, url := setup(t)
	mm.FailNext(500)
	err := s.Deliver(t.Context(), sink.Batch{Events: []event.Event{ev(1, "A")}})
	require.ErrorContains(t, err, "HTTP 500: Injected failure.")
	require.False(t, sink.IsPermanent(err))

	mm.FailNext(429)
	err = s.Deliver(t.Context(), sink.Batch{Events: []event.Event{ev(1, "A")}})
	require.False(t, sink.IsPermanent(err), "429 is retried")

	bad := New(Config{URL: strings.Replace(url, hook, "deletedhook123", 1)}, time.UTC)
	err = bad.Deliver(t.Context(), sink.Batch{Events: []event.Event{ev(1, "A")}})
	require.True(t, sink.IsPermanent(err), "a deleted hook is a configuration problem")
	require.ErrorContains(t, err, "HTTP 400: Invalid webhook.")
	require.NotContains(t, err.Error(), "deletedhook123")
	require.Contains(t, err.Error(), "/hooks/dele…")
}

func TestNetworkErrorsDoNotShowTheURL(t *testing.T) {
	srv := httptest.NewServer(mmfake.New(hook))
	url := srv.URL + "/hooks/" + hook
	srv.Close()
	err := New(Config{URL: url}, time.UTC).Deliver(t.Context(), sink.Batch{Events: []event.Event{ev(1, "A")}})
	require.ErrorContains(t, err, "connection refused")
	require.NotContains(t, err.Error(), hook)
	require.False(t, sink.IsPermanent(err))
}

func TestEmptyBatchAndCancelledContext(t *testing.T) {
	mm, s, _ := setup(t)
	require.NoError(t, s.Deliver(t.Context(), sink.Batch{}))
	require.Zero(t, mm.Requests())
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	require.ErrorIs(t, s.Deliver(ctx, sink.Batch{Events: []event.Event{ev(1, "A")}}), context.Canceled)
	require.Zero(t, mm.Requests())
}

func TestTheStandInChecksWhatMattermostChecks(t *testing.T) {
	mm, s, _ := setup(t)
	err := s.Post(t.Context(), "")
	require.ErrorContains(t, err, "HTTP 400: No text specified.")
	require.Zero(t, len(mm.Posts()))
}

func TestRedact(t *testing.T) {
	require.Equal(t, "https://mm.example.com/hooks/xk4r…", Redact("https://mm.example.com/hooks/xk4ri7yz1bgu3jqe8cmoh5tnwa"))
	require.Equal(t, "<URL>", Redact("not a url"))
}

func TestProbeText(t *testing.T) {
	require.Equal(t, ":white_check_mark: **birdseye startup** — posted by `nb-host` at `2026-11-23 07:13 UTC`. Webhook works.",
		ProbeText("nb-host", time.Date(2026, 11, 23, 8, 13, 0, 0, time.FixedZone("CET", 3600))))
}
