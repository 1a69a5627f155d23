package main

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
)

// A release source served by the test says 0.78.0 while the server runs
// 0.77.1-local: the daemon tells it once on stdout, WARNs in Checkmk and
// sets the metric; a restart does not tell it again.
func TestE2EUpdateCheckTellsANewerNetBirdReleaseOnce(t *testing.T) {
	var asked atomic.Int32
	release := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked.Add(1)
		io.WriteString(w, "0.78.0\n")
	}))
	defer release.Close()
	f, api := newAPI(t)
	f.AddN(1, "group.add", "g")
	dir := t.TempDir()
	spool := filepath.Join(dir, "spool")
	require.NoError(t, os.Mkdir(spool, 0o755))
	addr := freeAddr(t)
	env := baseEnv(t, api, filepath.Join(dir, "state.json"), "WATCH=on", "UPDATE_SOURCE_URL="+release.URL+"/releases/latest/version",
		"CHECKMK_SPOOL_DIR="+spool, "METRICS_ADDR="+addr)
	d := start(t, env)
	d.waitFor("the release news", func() bool {
		return strings.Contains(strings.Join(d.stdout(), "\n"), "birdseye.netbird.update_available")
	})
	out := strings.Join(d.stdout(), "\n")
	require.Contains(t, out, "NetBird 0.78.0 is available (management runs 0.77.1-local)  target=management  component='management' current='0.77.1-local' available='0.78.0' seen_by='the release source' notes='https://github.com/netbirdio/netbird/releases/tag/v0.78.0'")
	b, err := os.ReadFile(filepath.Join(spool, "180000_netbird_update.txt"))
	require.NoError(t, err)
	require.Equal(t, "1 NetBird_Update - NetBird 0.78.0 is available, management runs 0.77.1-local (the release source)\n", string(b))
	_, body := get(addr, "/metrics")
	require.Contains(t, body, `netbird_update_available{component="management"} 1`)
	require.Contains(t, body, `birdseye_update_check_timestamp_seconds{source="release"} `)
	d.signal(syscall.SIGTERM)
	require.Equal(t, 0, d.waitExit())

	d = start(t, env)
	n := asked.Load()
	d.waitFor("the check after the restart", func() bool { return asked.Load() > n })
	waitMorePolls(d, f, "/api/events/audit", 3)
	require.NotContains(t, strings.Join(d.stdout(), "\n"), "update_available", "told once")
	d.signal(syscall.SIGTERM)
	require.Equal(t, 0, d.waitExit())
}

// No way out (an air-gapped host): nothing is announced, the log says once
// that the source could not be read, Checkmk says UNKNOWN with the date,
// never "up to date".
func TestE2EUpdateCheckOfflineStaysQuietAndHonest(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	closed := ln.Addr().String()
	ln.Close()
	f, api := newAPI(t)
	f.AddN(1, "group.add", "g")
	dir := t.TempDir()
	spool := filepath.Join(dir, "spool")
	require.NoError(t, os.Mkdir(spool, 0o755))
	env := baseEnv(t, api, filepath.Join(dir, "state.json"), "WATCH=on", "UPDATE_SOURCE_URL=http://"+closed+"/version", "CHECKMK_SPOOL_DIR="+spool)
	d := start(t, env)
	d.waitLog("update check: a source could not be read")
	file := filepath.Join(spool, "180000_netbird_update.txt")
	d.waitFor("the Checkmk file", func() bool { _, err := os.Stat(file); return err == nil })
	b, err := os.ReadFile(file)
	require.NoError(t, err)
	require.Regexp(t, `^3 NetBird_Update - could not check for a newer release \(never read since \d{4}-\d\d-\d\d \d\d:\d\d UTC\): Get "http://`+closed+`/version": dial tcp `+closed+`: connect: connection refused; management runs 0.77.1-local, no peer runs a newer one\n$`, string(b))
	require.Empty(t, d.stdout(), "nothing announced")
	d.signal(syscall.SIGTERM)
	require.Equal(t, 0, d.waitExit())
	require.Equal(t, 1, strings.Count(d.logs(), "update check: a source could not be read"))

	doc := start(t, env, "doctor")
	doc.waitExit()
	require.Contains(t, strings.Join(doc.stdout(), "\n"), "WARN  NetBird version        could not check for a newer release (never read since ")
}
