package certwatch

import (
	"context"
	"crypto/x509"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/event"
	"github.com/styliteag/birdseye/internal/metrics"
	"github.com/styliteag/birdseye/internal/monitor"
)

type sinks struct {
	err error
	got []event.Event
}

func (s *sinks) Dispatch(_ context.Context, evs []event.Event) error {
	if s.err != nil {
		return s.err
	}
	s.got = append(s.got, evs...)
	return nil
}

// Sinks that refuse the alerts leave nothing marked as told: the next
// round tells them. What was told is in the state file, so a restarted
// loop tells nothing again; every round writes the Checkmk file and the
// gauges, told or not.
func TestALoopTellsWhatTheSinksTookOnceAcrossARestart(t *testing.T) {
	root := issue(t, "Test Root", now.AddDate(5, 0, 0), true, nil)
	roots := x509.NewCertPool()
	roots.AddCert(root.x509)
	soon := serve(t, issue(t, "soon.example.test", now.AddDate(0, 0, 6), false, root, "soon.example.test"))
	self := serve(t, issue(t, "self.example.test", now.AddDate(1, 0, 0), false, nil, "self.example.test"))
	dir := t.TempDir()
	out := &sinks{err: errors.New("outbox full")}
	m := metrics.New()
	l := &Loop{Targets: []Target{target(soon, "soon.example.test"), target(self, "self.example.test")}, Roots: roots, Leads: Leads{21, 7, 1},
		StateFile: filepath.Join(dir, "certwatch.json"), Out: out, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Metrics: m, Checkmk: dir}

	st := State{}
	require.ErrorContains(t, l.Once(t.Context(), st, now), "hand the certificate alerts to the sinks: outbox full")
	require.Empty(t, st, "nothing told")
	require.NoFileExists(t, l.StateFile)

	out.err = nil
	require.NoError(t, l.Once(t.Context(), st, now))
	require.Len(t, out.got, 2)
	require.Equal(t, CodeExpiring, out.got[0].ActivityCode)
	require.Equal(t, CodeInvalid, out.got[1].ActivityCode)

	kept, err := LoadState(l.StateFile)
	require.NoError(t, err)
	require.Equal(t, st, kept)
	require.NoError(t, l.Once(t.Context(), kept, now.Add(time.Hour)))
	require.Len(t, out.got, 2, "a restart tells nothing again")

	b, err := os.ReadFile(filepath.Join(dir, "7200_netbird_certificates.txt"))
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	require.Len(t, lines, 2)
	require.Regexp(t, `^2 NetBird_Certificate_soon\.example\.test_\d+ expiry_days=5;21;7 soon\.example\.test:\d+ \(CERT_WATCH_HOSTS\) expires in 5 days, 2026-12-11$`, lines[0])
	require.Regexp(t, `^2 NetBird_Certificate_self\.example\.test_\d+ - the chain does not verify: signed by an unknown authority`, lines[1])

	var scrape strings.Builder
	m.WritePrometheus(&scrape)
	require.Contains(t, scrape.String(), `birdseye_certificate_invalid{host="`+target(self, "self.example.test").String()+`"} 1`)
	require.Contains(t, scrape.String(), `birdseye_events_seen_total{stream="watch"} 2`)
}

func TestTheCheckmkLevelsAreTheFirstTwoLeadTimes(t *testing.T) {
	r := func(days int) Reading {
		return Reading{Target: Target{Host: "nb.example.test", Port: "443", From: "NB_URL"}, Expires: now.AddDate(0, 0, days).Add(time.Hour), Leaf: true}
	}
	var got []int
	for _, d := range []int{60, 21, 8, 7, 0} {
		got = append(got, Services([]Reading{r(d)}, Leads{1, 21, 7}, now)[0].Status)
	}
	require.Equal(t, []int{monitor.OK, monitor.Warn, monitor.Warn, monitor.Crit, monitor.Crit}, got)
	s := Services([]Reading{r(60)}, Leads{14}, now)[0]
	require.Equal(t, "NetBird_Certificate_nb.example.test", s.Name, "port 443 is not named")
	require.Equal(t, "expiry_days=60;14;", s.Metrics, "one lead time: a WARN level only")
	require.Equal(t, monitor.Crit, Services([]Reading{{Target: r(60).Target, Problem: "no TLS handshake: refused"}}, Leads{14}, now)[0].Status)
}
