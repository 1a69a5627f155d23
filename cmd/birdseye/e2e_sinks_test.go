package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestE2ESinksTestReportsEachConfiguredSink(t *testing.T) {
	_, api := newAPI(t)
	mm, hookURL := newMattermost(t)
	dead := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { http.Error(w, "no such hook", http.StatusNotFound) }))
	t.Cleanup(dead.Close)
	dir := t.TempDir()
	jsonl := filepath.Join(dir, "events.jsonl")
	env := baseEnv(t, api, filepath.Join(dir, "state.json"), "MATTERMOST_WEBHOOK_URL="+hookURL, "WEBHOOK_URL="+dead.URL+"/in", "FILE_SINK_PATH="+jsonl)

	d := start(t, env, "sinks", "test")
	require.Equal(t, 1, d.waitExit(), "one sink failed")
	logs := d.logs()
	require.Contains(t, logs, "ok    stdout     took the sample event\n")
	require.Contains(t, logs, "ok    mattermost took the sample event\n")
	require.Contains(t, logs, "FAIL  webhook    webhook POST [redacted]: HTTP 404: no such hook\n", "WEBHOOK_URL is a secret: a URL short enough to show whole is scrubbed")
	require.Contains(t, logs, "ok    file       took the sample event\n")
	require.Len(t, d.stdout(), 1)
	require.Contains(t, d.stdout()[0], "birdseye.test")
	require.Len(t, mm.Posts(), 1)
	require.Contains(t, mm.Posts()[0].Text, "birdseye sink test from")
	raw, err := os.ReadFile(jsonl)
	require.NoError(t, err)
	require.Contains(t, string(raw), `"activity_code":"birdseye.test"`)

	d = start(t, env, "sinks", "test", "mattermost")
	require.Equal(t, 0, d.waitExit(), d.logs())
	require.Equal(t, "ok    mattermost took the sample event", strings.TrimSpace(d.logs()))
	require.Len(t, mm.Posts(), 2)

	d = start(t, env, "sinks", "test", "slack")
	require.Equal(t, 2, d.waitExit())
	require.Contains(t, d.logs(), `birdseye: sinks test NAME="slack" is not a configured sink; expected one of: stdout, mattermost, webhook, file`)
}
