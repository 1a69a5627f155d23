package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/sink/mattermost/mmfake"
)

// MAX_CATCHUP spares people a flood; the machine sinks (here the file sink,
// which log shippers read) get every event of a backlog, in order, in
// batches of at most outbox.MaxBatch.
func TestE2EMaxCatchupCapsThePeopleSinksOnlyAndTheFileSinkGetsEveryEvent(t *testing.T) {
	f, api := newAPI(t)
	f.AddN(1, "group.add", "g")
	mm, hookURL := newMattermost(t)
	dir := t.TempDir()
	jsonl := filepath.Join(dir, "events.jsonl")
	d := start(t, baseEnv(t, api, filepath.Join(dir, "state.json"), "MATTERMOST_WEBHOOK_URL="+hookURL,
		"FILE_SINK_PATH="+jsonl, "MAX_CATCHUP=50", "BURST_LIMIT=0"))
	d.waitLog("first boot")

	const backlog = 2500
	f.AddN(backlog, "peer.group.add", "x")
	lines := func() []string {
		b, _ := os.ReadFile(jsonl)
		return strings.Split(strings.TrimSpace(string(b)), "\n")
	}
	d.waitFor("every event in the file", func() bool { return len(lines()) >= backlog })
	got := lines()
	require.Len(t, got, backlog)
	for i, l := range got {
		var e struct {
			ID string `json:"id"`
		}
		require.NoError(t, json.Unmarshal([]byte(l), &e))
		require.Equal(t, strconv.Itoa(i+2), e.ID, "in id order")
	}
	waitPosts(t, d, mm, 1)
	text := mmfake.Text(mm.Posts())
	require.Contains(t, text, "skipped 2450 older events on catch-up")
	require.Equal(t, 50, strings.Count(text, "x-"), "the newest 50 only")
	require.NotContains(t, d.logs(), "dropped")
}
