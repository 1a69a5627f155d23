package monitor

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var maintenance = Check{File: "netbird_account_maintenance", Service: "NetBird_Account_Maintenance", MaxAge: 7200 * time.Second, Label: "maintenance"}

func TestTheCheckmkFileIsTheOldToolsLine(t *testing.T) {
	dir := t.TempDir()
	berlin, _ := time.LoadLocation("Europe/Berlin")
	start := time.Date(2026, 11, 23, 7, 5, 0, 0, time.UTC)
	require.NoError(t, maintenance.Write(dir, Run{Start: start, Took: 3 * time.Second, Summary: "posture: no change\nallow-ping: 2 created"}, berlin))
	b, err := os.ReadFile(filepath.Join(dir, "7200_netbird_account_maintenance.txt"))
	require.NoError(t, err)
	require.Equal(t, "0 NetBird_Account_Maintenance - 2026-11-23 08:05 ok in 3s; posture: no change allow-ping: 2 created\n", string(b))
	fi, _ := os.Stat(filepath.Join(dir, "7200_netbird_account_maintenance.txt"))
	require.Equal(t, os.FileMode(0o644), fi.Mode().Perm(), "the agent reads it as another user")

	require.NoError(t, maintenance.Write(dir, Run{Start: start, Err: errors.New("x"), Summary: "allow-ping: " + strings.Repeat("y", 300)}, berlin))
	b, _ = os.ReadFile(filepath.Join(dir, "7200_netbird_account_maintenance.txt"))
	require.True(t, strings.HasPrefix(string(b), "2 NetBird_Account_Maintenance - maintenance FAILED: allow-ping: yyy"))
	require.Len(t, strings.TrimSuffix(strings.SplitN(string(b), "FAILED: ", 2)[1], "\n"), 160, "the detail is cut at 160")
	entries, _ := os.ReadDir(dir)
	require.Len(t, entries, 1, "no temporary file left behind")

	require.NoError(t, maintenance.Write(dir, Run{Start: start, Took: time.Second, Warn: true, Summary: "refreshed; drill skipped"}, berlin))
	b, _ = os.ReadFile(filepath.Join(dir, "7200_netbird_account_maintenance.txt"))
	require.Equal(t, "1 NetBird_Account_Maintenance - 2026-11-23 08:05 WARN after 1s; refreshed; drill skipped\n", string(b), "WARN: it ran, it proved less")
}

type pings struct {
	mu   sync.Mutex
	got  []string
	body []string
}

func (p *pings) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	p.mu.Lock()
	p.got = append(p.got, r.Method+" "+r.URL.RequestURI())
	p.body = append(p.body, string(b))
	p.mu.Unlock()
}

func TestHealthchecksPingsStartSuccessAndFail(t *testing.T) {
	p := &pings{}
	srv := httptest.NewServer(p)
	defer srv.Close()
	pg := Pinger{URL: srv.URL + "/ping/abc-123", Style: Healthchecks}
	require.NoError(t, pg.Start(t.Context()))
	require.NoError(t, pg.Finish(t.Context(), Run{Summary: "deleted 2 peers"}))
	require.NoError(t, pg.Finish(t.Context(), Run{Summary: "refused", Err: errors.New("refused")}))
	require.Equal(t, []string{"GET /ping/abc-123/start", "POST /ping/abc-123", "POST /ping/abc-123/fail"}, p.got)
	require.Equal(t, "deleted 2 peers", p.body[1])
}

func TestUptimeKumaPushesUpOrDownWithTheMessage(t *testing.T) {
	p := &pings{}
	srv := httptest.NewServer(p)
	defer srv.Close()
	pg := Pinger{URL: srv.URL + "/api/push/Tok3n?status=up&msg=OK&ping=", Style: UptimeKuma}
	require.NoError(t, pg.Start(t.Context()), "Uptime Kuma has no start")
	require.NoError(t, pg.Finish(t.Context(), Run{Took: 1500 * time.Millisecond, Summary: "backup ok"}))
	require.NoError(t, pg.Finish(t.Context(), Run{Summary: "7z failed", Err: errors.New("x")}))
	require.Equal(t, []string{"GET /api/push/Tok3n?msg=backup+ok&ping=1500&status=up", "GET /api/push/Tok3n?msg=7z+failed&ping=0&status=down"}, p.got)
}

func TestAPingThatFailsSaysSoWithoutTheURL(t *testing.T) {
	pg := Pinger{URL: "http://127.0.0.1:1/ping/secret-uuid", Style: Healthchecks}
	err := pg.Finish(t.Context(), Run{})
	require.Error(t, err)
	require.NotContains(t, err.Error(), "secret-uuid")
}

func TestOneLocalFileHoldsALinePerServiceWithItsMetrics(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, WriteLocal(dir, "netbird_certificates", 2*time.Hour, []Service{
		{Status: OK, Name: "NetBird_Certificate_nb.example.com", Metrics: "expiry_days=80;21;7", Text: "expires in 80 days"},
		{Status: Crit, Name: "NetBird Certificate relay", Text: "the chain\ndoes not verify"},
	}))
	b, err := os.ReadFile(filepath.Join(dir, "7200_netbird_certificates.txt"))
	require.NoError(t, err)
	require.Equal(t, "0 NetBird_Certificate_nb.example.com expiry_days=80;21;7 expires in 80 days\n"+
		"2 NetBird_Certificate_relay - the chain does not verify\n", string(b), "no space in a name, no line break in a text")
}
