package main

import (
	"fmt"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/event"
)

// Entries a server (or a proxy in front of it) might send with fields of an
// unexpected type, or not as JSON at all: none of them may stop the entries
// after it, and the API is not "unreachable" because of them.
func TestE2EMalformedAuditEntriesNeverBlockTheOthers(t *testing.T) {
	f, srv := newAPI(t)
	f.AddN(1, "group.add", "g")
	sf := filepath.Join(t.TempDir(), "state.json")
	d := start(t, baseEnv(t, srv, sf, "OUTAGE_ALERT_MINUTES=0.001"))
	d.waitLog("first boot")

	f.AddN(1, "policy.update", "before")
	odd := []func(id event.ID) string{
		func(id event.ID) string {
			return fmt.Sprintf(`{"id":"%d","activity_code":"group.add","meta":"a string"}`, id)
		},
		func(id event.ID) string {
			return fmt.Sprintf(`{"id":"%d","activity_code":"group.add","meta":[1,2]}`, id)
		},
		func(id event.ID) string {
			return fmt.Sprintf(`{"id":"%d","activity_code":"group.add","timestamp":1700000000}`, id)
		},
		func(id event.ID) string { return fmt.Sprintf(`{"id":"%d","activity_code":17,"target_id":42}`, id) },
		func(id event.ID) string {
			return fmt.Sprintf(`{"id":"%d","activity_code":"user.join","initiator_name":{"first":"Ann"}}`, id)
		},
		func(id event.ID) string {
			return fmt.Sprintf(`{"id":"%d","activity_code":"group.add","meta":{"a":}}`, id)
		},
		func(event.ID) string { return `{"id":"x9","activity_code":"group.add"}` },
	}
	for _, o := range odd {
		f.AddRaw(o)
	}
	f.AddN(1, "policy.update", "after")
	// 1 before + 6 odd entries with a usable id + 1 after; "x9" has none.
	d.waitFor("8 events", func() bool { return len(d.stdout()) == 8 })
	out := d.stdout()
	require.Contains(t, out[0], "name='before-1'")
	require.Contains(t, out[1], "raw='a string'")
	require.Contains(t, out[2], "raw=[1, 2]")
	require.Contains(t, out[3], "1700000000")
	require.Contains(t, out[4], "17 ")
	require.Contains(t, out[4], "target=42")
	require.Contains(t, out[5], `{"first":"Ann"}`)
	require.Contains(t, out[6], event.CodeUnreadable)
	require.Contains(t, out[7], "name='after-1'")

	d.waitFor("the log lines", func() bool { return strings.Count(d.logs(), "audit entry did not decode cleanly") >= 6 })
	logs := d.logs()
	require.NotContains(t, logs, "unreachable")
	require.NotContains(t, logs, "poll failed")
	require.Equal(t, 6, strings.Count(logs, "audit entry did not decode cleanly"), logs)
	require.Contains(t, logs, "id=8 problem=\"not valid JSON")
	require.Contains(t, logs, "fields of an unexpected type, kept as JSON text: activity_code, target_id")
	require.Equal(t, 1, strings.Count(logs, "audit entries without a usable id"), "logged once, not every poll")
	require.Contains(t, logs, "x9")
	d.signal(syscall.SIGTERM)
	require.Equal(t, 0, d.waitExit())
}
