package updates

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/event"
	"github.com/styliteag/birdseye/internal/metrics"
	"github.com/styliteag/birdseye/internal/monitor"
	"github.com/styliteag/birdseye/internal/netbird"
)

var now = time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)

type fakeAPI struct {
	iv    netbird.InstanceVersion
	peers []netbird.Peer
	err   error
}

func (f *fakeAPI) GetInstanceVersion(context.Context) (netbird.InstanceVersion, error) {
	return f.iv, f.err
}
func (f *fakeAPI) ListPeers(context.Context) ([]netbird.Peer, error) { return f.peers, f.err }

type fixed struct {
	v   string
	err error
}

func (f *fixed) Latest(context.Context) (string, error) { return f.v, f.err }
func (f *fixed) String() string                         { return "test source" }

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

func loop(t *testing.T, api *fakeAPI, release, own *fixed, out *sinks) *Loop {
	l := &Loop{Checker: Checker{API: api, Birdseye: "1.0.0"}, StateFile: filepath.Join(t.TempDir(), "updates.json"),
		Out: out, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Checkmk: t.TempDir(), Metrics: metrics.New()}
	if release != nil {
		l.Checker.Release = release
	}
	if own != nil {
		l.Checker.Own = own
	}
	return l
}

func checkmk(t *testing.T, l *Loop) string {
	b, err := os.ReadFile(filepath.Join(l.Checkmk, "180000_netbird_update.txt"))
	require.NoError(t, err)
	return string(b)
}

// A newer release from the release source is told once, with the release
// notes; the same version again (or after a restart) is not; a newer one
// is. A pre-release is never told.
func TestANewerNetBirdReleaseIsToldOncePerVersion(t *testing.T) {
	api := &fakeAPI{iv: netbird.InstanceVersion{Current: "0.77.1"}}
	release := &fixed{v: "0.78.0"}
	out := &sinks{}
	l := loop(t, api, release, nil, out)
	st := l.load()
	require.NoError(t, l.Once(t.Context(), st, now))
	require.Len(t, out.got, 1)
	e := out.got[0]
	require.Equal(t, CodeNetBird, e.ActivityCode)
	require.Equal(t, "NetBird 0.78.0 is available (management runs 0.77.1)", e.Activity)
	require.Equal(t, "https://github.com/netbirdio/netbird/releases/tag/v0.78.0", e.Meta.Get("notes"))
	require.Equal(t, "the release source", e.Meta.Get("seen_by"))
	require.Contains(t, checkmk(t, l), "1 NetBird_Update - NetBird 0.78.0 is available, management runs 0.77.1 (the release source)")
	var scrape strings.Builder
	l.Metrics.WritePrometheus(&scrape)
	require.Contains(t, scrape.String(), `netbird_update_available{component="management"} 1`)
	require.Contains(t, scrape.String(), `netbird_management_info{version="0.77.1"} 1`)

	l2 := loop(t, api, release, nil, out)
	l2.StateFile = l.StateFile // a restart
	require.NoError(t, l2.Once(t.Context(), l2.load(), now.Add(24*time.Hour)))
	require.Len(t, out.got, 1, "told once")

	release.v = "0.79.0-rc1"
	require.NoError(t, l2.Once(t.Context(), l2.load(), now.Add(48*time.Hour)))
	require.Len(t, out.got, 1, "a pre-release is not told")
	release.v = "0.79.0"
	require.NoError(t, l2.Once(t.Context(), l2.load(), now.Add(72*time.Hour)))
	require.Len(t, out.got, 2)
	require.Equal(t, "NetBird 0.79.0 is available (management runs 0.77.1)", out.got[1].Activity)
}

// Offline, nothing can be learnt from outside, but a peer that runs a
// newer version proves there is one; the server's own "available" version
// older than the running one (NetBird #5192) is no update.
func TestAPeerOnANewerVersionProvesAReleaseWithoutEgress(t *testing.T) {
	api := &fakeAPI{iv: netbird.InstanceVersion{Current: "0.77.1", ManagementLatest: "0.76.0"},
		peers: []netbird.Peer{{Name: "laptop", Version: "0.77.1"}, {Name: "dev-box", Version: "development"}}}
	release := &fixed{err: errors.New("dial tcp: lookup pkgs.netbird.io: no such host")}
	out := &sinks{}
	l := loop(t, api, release, nil, out)
	st := l.load()
	require.NoError(t, l.Once(t.Context(), st, now))
	require.Empty(t, out.got)
	require.Equal(t, "3 NetBird_Update - could not check for a newer release (never read since 2026-12-05 09:00 UTC): dial tcp: lookup pkgs.netbird.io: no such host; management runs 0.77.1, no peer runs a newer one\n",
		checkmk(t, l), "not 'up to date': could not check")

	api.peers = append(api.peers, netbird.Peer{Name: "new-laptop", Version: "0.78.1"})
	require.NoError(t, l.Once(t.Context(), st, now.Add(24*time.Hour)))
	require.Len(t, out.got, 1)
	require.Equal(t, "peer new-laptop runs it", out.got[0].Meta.Get("seen_by"))
	require.Equal(t, "NetBird 0.78.1 is available (management runs 0.77.1)", out.got[0].Activity)
}

// The running dashboard's version cannot be read: the first release the
// server names is learnt quietly, a later one is told.
func TestADashboardReleaseIsToldFromTheSecondOneOn(t *testing.T) {
	api := &fakeAPI{iv: netbird.InstanceVersion{Current: "0.77.1", DashboardLatest: "v2.22.0"}}
	out := &sinks{}
	l := loop(t, api, nil, nil, out)
	st := l.load()
	require.NoError(t, l.Once(t.Context(), st, now))
	require.Empty(t, out.got)
	require.Equal(t, "0 NetBird_Update - management 0.77.1 is the newest release known (release source off: from the server and the peers only)\n", checkmk(t, l))
	api.iv.DashboardLatest = "v2.23.0"
	require.NoError(t, l.Once(t.Context(), st, now.Add(24*time.Hour)))
	require.Len(t, out.got, 1)
	require.Equal(t, "NetBird dashboard 2.23.0 is released", out.got[0].Activity)
	require.Equal(t, "https://github.com/netbirdio/dashboard/releases/tag/v2.23.0", out.got[0].Meta.Get("notes"))
}

func TestBirdseyesOwnReleaseIsToldWhenItsSourceIsOn(t *testing.T) {
	api := &fakeAPI{iv: netbird.InstanceVersion{Current: "0.77.1"}}
	out := &sinks{}
	l := loop(t, api, nil, &fixed{v: "v1.1.0"}, out)
	require.NoError(t, l.Once(t.Context(), l.load(), now))
	require.Len(t, out.got, 1)
	require.Equal(t, CodeBirdseye, out.got[0].ActivityCode)
	require.Equal(t, "birdseye 1.1.0 is available (this one is 1.0.0)", out.got[0].Activity)
}

// Sinks that do not take the news leave nothing told: the next check
// tells it.
func TestNewsTheSinksRefusedIsToldAtTheNextCheck(t *testing.T) {
	api := &fakeAPI{iv: netbird.InstanceVersion{Current: "0.77.1"}}
	out := &sinks{err: errors.New("outbox full")}
	l := loop(t, api, &fixed{v: "0.78.0"}, nil, out)
	st := l.load()
	require.ErrorContains(t, l.Once(t.Context(), st, now), "outbox full")
	out.err = nil
	require.NoError(t, l.Once(t.Context(), st, now.Add(time.Hour)))
	require.Len(t, out.got, 1)
}

func TestTheManagementServerUnreadableIsUnknownNotUpToDate(t *testing.T) {
	api := &fakeAPI{err: errors.New("GET /api/instance/version: HTTP 401")}
	l := loop(t, api, nil, nil, &sinks{})
	require.NoError(t, l.Once(t.Context(), l.load(), now))
	require.Equal(t, monitor.Unknown, Status(l.load(), l.Checker.Read(t.Context()), false, now).Status)
	require.Contains(t, checkmk(t, l), "3 NetBird_Update - could not read the management server's version (never read since 2026-12-05 09:00 UTC): GET /api/instance/version: HTTP 401")
}

func TestAReleaseSourceIsPlainTextAGitHubReleaseOrAFile(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		require.Equal(t, "birdseye/dev", r.Header.Get("User-Agent"))
		switch r.URL.Path {
		case "/version":
			io.WriteString(w, "0.78.0\n")
		case "/releases/latest":
			io.WriteString(w, `{"tag_name":"v1.2.0","name":"birdseye 1.2.0"}`)
		case "/html":
			io.WriteString(w, "<html>captive portal</html>")
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	got, err := URLSource{URL: srv.URL + "/version"}.Latest(t.Context())
	require.NoError(t, err)
	require.Equal(t, "0.78.0", got)
	got, err = URLSource{URL: srv.URL + "/releases/latest"}.Latest(t.Context())
	require.NoError(t, err)
	require.Equal(t, "v1.2.0", got)
	_, err = URLSource{URL: srv.URL + "/html"}.Latest(t.Context())
	require.ErrorContains(t, err, `"<html>captive portal</html>" is not a version`)
	_, err = URLSource{URL: srv.URL + "/gone"}.Latest(t.Context())
	require.ErrorContains(t, err, "HTTP 404")

	file := filepath.Join(t.TempDir(), "version")
	require.NoError(t, os.WriteFile(file, []byte("0.78.2\n"), 0o644))
	got, err = URLSource{URL: file}.Latest(t.Context())
	require.NoError(t, err)
	require.Equal(t, "0.78.2", got)
	got, err = URLSource{URL: "file://" + file}.Latest(t.Context())
	require.NoError(t, err)
	require.Equal(t, "0.78.2", got)
	_, err = URLSource{URL: filepath.Join(t.TempDir(), "none")}.Latest(t.Context())
	require.ErrorContains(t, err, "read the release file: ")
}
