package email

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/event"
	"github.com/styliteag/birdseye/internal/netbird"
	"github.com/styliteag/birdseye/internal/proxylog"
	"github.com/styliteag/birdseye/internal/sink"
	"github.com/styliteag/birdseye/internal/sink/email/smtptest"
)

func refused(i int, ip string) event.Event {
	return proxylog.Event(netbird.ProxyLog{ID: fmt.Sprint(i), Timestamp: time.Date(2026, 11, 23, 8, 0, i, 0, time.UTC), Method: "POST",
		Host: "vault.example.com", Path: "/login", StatusCode: 401, SourceIP: ip, Reason: "authentication failed"})
}

func TestImmediateModeMailsARunOfStreamRowsOnceAndAuditEventsEach(t *testing.T) {
	srv := smtptest.Start(t, "starttls", "", "")
	s := sinkFor(srv, false)
	evs := []event.Event{ev(1, "policy.update", "A")}
	for i := range 12 {
		evs = append(evs, refused(i, "198.51.100.9"))
	}
	evs = append(evs, refused(20, "203.0.113.4"), ev(2, "user.block", "B"))
	require.NoError(t, s.Deliver(t.Context(), sink.Batch{Events: evs}))
	msgs := srv.Messages()
	require.Len(t, msgs, 3, "audit, the run of 13 rows, audit")
	require.Equal(t, "[NetBird] policy.update — Admin", msgs[0].Subject)
	require.Equal(t, "[NetBird] 13 refused or failed requests", msgs[1].Subject)
	body := msgs[1].Body
	require.True(t, strings.HasPrefix(body, "2026-11-23 08:00:00 – 2026-11-23 08:00:11  12 refused or failed requests from 198.51.100.9: POST vault.example.com/login 401 ×12\n"), body)
	require.Contains(t, body, "proxy.failed                  203.0.113.4           401 POST vault.example.com/login from 203.0.113.4: authentication failed")
	require.Equal(t, "[NetBird] user.block — Admin", msgs[2].Subject)
}

func TestAFailedStreamMailReportsTheAuditMailsBeforeItAsDelivered(t *testing.T) {
	srv := smtptest.Start(t, "starttls", "", "")
	s := sinkFor(srv, false)
	srv.RefuseAfter(1) // the second mail is refused
	err := s.Deliver(t.Context(), sink.Batch{Events: []event.Event{ev(1, "policy.update", "A"), refused(1, "198.51.100.9"), refused(2, "198.51.100.9")}})
	var partial *sink.PartialError
	require.ErrorAs(t, err, &partial)
	require.Equal(t, 1, partial.Delivered)
}

func TestImmediateModeMailsABurstOnce(t *testing.T) {
	srv := smtptest.Start(t, "starttls", "", "")
	s := sinkFor(srv, false)
	s.cfg.BurstLimit = 20
	var evs []event.Event
	for i := range 42 {
		evs = append(evs, ev(event.ID(i+1), "peer.group.add", "Ops"))
	}
	evs = append(evs, ev(43, "policy.update", "A"))
	require.NoError(t, s.Deliver(t.Context(), sink.Batch{Events: evs}))
	msgs := srv.Messages()
	require.Len(t, msgs, 2)
	require.Equal(t, "[NetBird] 42 × peer.group.add — Admin", msgs[0].Subject)
	require.True(t, strings.HasPrefix(msgs[0].Body, "2026-11-23 07:13:10 – 2026-11-23 07:13:10  42 × peer.group.add (Group added to peer) by Admin: Ops ×42\n"), msgs[0].Body)
	require.Equal(t, "[NetBird] policy.update — Admin", msgs[1].Subject)

	srv.RefuseAfter(0)
	err := s.Deliver(t.Context(), sink.Batch{Events: evs})
	require.Error(t, err)
	var partial *sink.PartialError
	require.False(t, errors.As(err, &partial), "nothing went out")
}
