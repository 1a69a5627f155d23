package email

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/event"
	"github.com/styliteag/birdseye/internal/sink"
	"github.com/styliteag/birdseye/internal/sink/email/smtptest"
)

func sinkFor(srv *smtptest.Server, digest bool) *Sink {
	return New(Config{
		Transport: Transport{Host: srv.Host, Port: srv.Port, TLSMode: srv.Mode, User: srv.User, Password: srv.Pass, RootCAs: srv.CAPool, Timeout: 10 * time.Second},
		From:      "birdseye@example.com", To: []string{"ops@example.com", "Admin <admin@example.com>"}, Digest: digest,
	}, time.UTC)
}

func ev(id event.ID, code, name string) event.Event {
	return event.Event{ID: id, ActivityCode: code, Activity: "Policy updated", Timestamp: "2026-11-23T07:13:10Z", InitiatorName: "Admin",
		Meta: event.Meta{{Key: "name", Value: name}}}
}

func TestImmediateMailsOverEveryTransport(t *testing.T) {
	for _, mode := range []string{"starttls", "tls", "none"} {
		t.Run(mode, func(t *testing.T) {
			srv := smtptest.Start(t, mode, "mailer", "s3cret-pass")
			s := sinkFor(srv, false)
			require.NoError(t, s.Deliver(t.Context(), sink.Batch{Events: []event.Event{ev(1, "policy.update", "A"), ev(2, "user.block", "B")}}))
			msgs := srv.Messages()
			require.Len(t, msgs, 2)
			m := msgs[0]
			require.Equal(t, "[NetBird] policy.update — Admin", m.Subject)
			require.Equal(t, "birdseye@example.com", m.From)
			require.Equal(t, []string{"ops@example.com", "admin@example.com"}, m.To)
			require.True(t, strings.HasPrefix(m.Body, "2026-11-23 07:13:10  policy.update                 Admin                 Policy updated  name='A'\n"), m.Body)
			require.NotEmpty(t, m.Header.Get("Date"))
			require.NotEmpty(t, m.Header.Get("Message-Id"))
			require.Contains(t, m.Header.Get("Content-Type"), "text/plain")
			require.Equal(t, "[NetBird] user.block — Admin", msgs[1].Subject)
		})
	}
}

func TestADigestIsOneMail(t *testing.T) {
	srv := smtptest.Start(t, "starttls", "", "")
	s := sinkFor(srv, true)
	require.NoError(t, s.Deliver(t.Context(), sink.Batch{Events: []event.Event{ev(1, "policy.update", "A"), ev(2, "policy.update", "B")}, Skipped: 4}))
	msgs := srv.Messages()
	require.Len(t, msgs, 1)
	require.Regexp(t, `^\[NetBird\] 2 events \(\d{4}-\d\d-\d\d \d\d:\d\d UTC digest\)$`, msgs[0].Subject)
	require.True(t, strings.HasPrefix(msgs[0].Body, "skipped 4 older events on catch-up (MAX_CATCHUP).\n\n2026-11-23 07:13:10  policy.update"), msgs[0].Body)
	require.Equal(t, 2, strings.Count(msgs[0].Body, "policy.update"))
	require.Equal(t, "[NetBird] 1 event (2026-11-23 07:13 UTC digest)", DigestSubject(1, time.Date(2026, 11, 23, 8, 13, 0, 0, time.FixedZone("CET", 3600))))
}

func TestAlertsAreMailsOfTheirOwn(t *testing.T) {
	srv := smtptest.Start(t, "tls", "", "")
	require.NoError(t, sinkFor(srv, true).Deliver(t.Context(), sink.Batch{Alerts: []string{"NetBird API unreachable for 12 min (HTTP 502)"}}))
	msgs := srv.Messages()
	require.Len(t, msgs, 1)
	require.Equal(t, "[NetBird] birdseye alert: NetBird API unreachable for 12 min (HTTP 502)", msgs[0].Subject)
	require.True(t, strings.HasPrefix(msgs[0].Body, "NetBird API unreachable for 12 min (HTTP 502)\n"))
}

func TestAWrongPasswordIsAClearPermanentError(t *testing.T) {
	srv := smtptest.Start(t, "starttls", "mailer", "right")
	s := sinkFor(srv, false)
	s.cfg.Password = "wrong-password-123"
	err := s.Deliver(t.Context(), sink.Batch{Events: []event.Event{ev(1, "policy.update", "A")}})
	require.Error(t, err)
	require.True(t, sink.IsPermanent(err), err.Error())
	require.Contains(t, err.Error(), "mail via starttls 127.0.0.1:")
	require.Contains(t, err.Error(), "SMTP AUTH failed")
	require.NotContains(t, err.Error(), "wrong-password-123")
	require.Empty(t, srv.Messages())
}

func TestAnUnknownCertificateIsRefused(t *testing.T) {
	srv := smtptest.Start(t, "tls", "", "")
	s := sinkFor(srv, false)
	s.cfg.RootCAs = nil // the system's roots do not know the test CA
	err := s.Deliver(t.Context(), sink.Batch{Events: []event.Event{ev(1, "policy.update", "A")}})
	require.Error(t, err)
	require.True(t, sink.IsPermanent(err), err.Error())
	s.cfg.SkipVerify = true
	require.NoError(t, s.Deliver(t.Context(), sink.Batch{Events: []event.Event{ev(1, "policy.update", "A")}}))
}

func TestAServerThatRefusesForNowIsRetriedAndAPartialBatchSaysHowFarItGot(t *testing.T) {
	srv := smtptest.Start(t, "starttls", "", "")
	s := sinkFor(srv, false)
	srv.Refuse()
	err := s.Deliver(t.Context(), sink.Batch{Events: []event.Event{ev(1, "policy.update", "A")}})
	require.Error(t, err)
	require.False(t, sink.IsPermanent(err), "451 is temporary: %v", err)

	srv.Accept()
	srv.RefuseAfter(1) // the first mail goes through, the second is refused
	var evs []event.Event
	for i := range 3 {
		evs = append(evs, ev(event.ID(i+1), "policy.update", fmt.Sprint(i)))
	}
	err = s.Deliver(t.Context(), sink.Batch{Events: evs})
	var partial *sink.PartialError
	require.ErrorAs(t, err, &partial)
	require.Equal(t, 1, partial.Delivered)
	require.Len(t, srv.Messages(), 1)
}

func TestProbe(t *testing.T) {
	cfg := Config{Transport: Transport{Host: "smtp.example.com", Port: 587, TLSMode: "starttls"}, To: []string{"a@x", "b@x"}}
	body := ProbeBody("nb-host", "https://nb.example.com", "digest", cfg, time.Date(2026, 11, 23, 7, 13, 10, 0, time.UTC))
	require.Contains(t, body, "  transport:      starttls smtp.example.com:587\n  recipients:     a@x, b@x\n")
	require.Contains(t, body, "  time:           2026-11-23 07:13:10 UTC\n")
	require.Equal(t, "[NetBird] birdseye startup (nb-host)", ProbeSubject("nb-host"))
}

func TestCheckLogsInWithoutSending(t *testing.T) {
	srv := smtptest.Start(t, "starttls", "mailer", "right")
	s := sinkFor(srv, false)
	require.NoError(t, s.Check(t.Context()))
	require.Empty(t, srv.Messages())
	s.cfg.Password = "wrong"
	err := s.Check(t.Context())
	require.ErrorContains(t, err, "SMTP AUTH failed")
	require.True(t, sink.IsPermanent(err))
}
