package main

import (
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/netbird/fake"
	"github.com/styliteag/birdseye/internal/sink/mattermost/mmfake"
)

const mmHook = "e2ehook7yz1bgu3jqe8cmoh5tn"

func newMattermost(t *testing.T) (*mmfake.Server, string) {
	t.Helper()
	mm := mmfake.New(mmHook)
	srv := httptest.NewServer(mm)
	t.Cleanup(srv.Close)
	return mm, srv.URL + "/hooks/" + mmHook
}

func TestE2EMattermostAndStdoutTogether(t *testing.T) {
	f, api := newAPI(t)
	f.AddN(1, "group.add", "g")
	mm, hookURL := newMattermost(t)
	sf := filepath.Join(t.TempDir(), "state.json")
	d := start(t, baseEnv(t, api, sf, "MATTERMOST_WEBHOOK_URL="+hookURL, "MATTERMOST_STARTUP_TEST=true",
		"MATTERMOST_EXCLUDE=user.*", "MATTERMOST_CHANNEL=audit"))
	d.waitLog("first boot")
	d.waitLog("mattermost startup test posted")
	require.Contains(t, mm.Posts()[0].Text, ":white_check_mark: **birdseye startup** — posted by")

	f.AddN(2, "policy.update", "p")
	f.AddN(1, "user.block", "u")
	d.waitFor("stdout", func() bool { return len(d.stdout()) == 3 })
	waitPosts(t, d, mm, 2)
	post := mm.Posts()[1]
	require.Equal(t, "audit", post.Channel)
	require.Equal(t, "birdseye", post.Username)
	require.Equal(t, 2, strings.Count(post.Text, "**Policy updated**"), "one post for the poll, user.* excluded")
	require.NotContains(t, post.Text, "User blocked")
	require.NotContains(t, d.logs(), mmHook, "the webhook URL is never logged whole")
}

func TestE2EWebhookDownAcrossARestartLosesNothing(t *testing.T) {
	f, api := newAPI(t)
	f.AddN(1, "group.add", "g")
	mm, hookURL := newMattermost(t)
	sf := filepath.Join(t.TempDir(), "state.json")
	env := baseEnv(t, api, sf, "MATTERMOST_WEBHOOK_URL="+hookURL)
	d := start(t, env)
	d.waitLog("first boot")
	mm.Down(503)
	for i := range 5 {
		f.AddN(2, "policy.update", "down"+string(rune('a'+i)))
		d.waitFor("stdout", func() bool { return len(d.stdout()) == 2*(i+1) })
	}
	d.waitLog("delivery failed; the events stay queued")
	d.signal(syscall.SIGTERM)
	require.Equal(t, 0, d.waitExit())
	require.Empty(t, mm.Posts())

	f.AddN(2, "policy.update", "after")
	mm.Up()
	d = start(t, env)
	waitPosts(t, d, mm, 1)
	d.waitFor("all 12 events posted", func() bool { return strings.Count(mmfake.Text(mm.Posts()), "**Policy updated**") >= 12 })
	text := mmfake.Text(mm.Posts())
	require.Equal(t, 12, strings.Count(text, "**Policy updated**"), "each event once:\n%s", text)
	var order []string
	for _, l := range strings.Split(text, "\n") {
		if i := strings.Index(l, "**Policy updated**: "); i >= 0 {
			order = append(order, strings.Fields(l[i+len("**Policy updated**: "):])[0])
		}
	}
	require.Equal(t, []string{"downa-1", "downa-2", "downb-1", "downb-2", "downc-1", "downc-2", "downd-1", "downd-2", "downe-1", "downe-2", "after-1", "after-2"}, order)
}

func TestE2EOutageAlertAndRecoveryArePostedOnce(t *testing.T) {
	f, api := newAPI(t)
	f.AddN(1, "group.add", "g")
	mm, hookURL := newMattermost(t)
	sf := filepath.Join(t.TempDir(), "state.json")
	d := start(t, baseEnv(t, api, sf, "MATTERMOST_WEBHOOK_URL="+hookURL, "OUTAGE_ALERT_MINUTES=0.003"))
	d.waitLog("first boot")
	f.Fail(fake.BadGateway(1 << 30))
	waitPosts(t, d, mm, 1)
	require.Contains(t, mm.Posts()[0].Text, ":rotating_light: **NetBird forwarder**: NetBird API unreachable for 0 min (")
	f.ClearFailures()
	waitPosts(t, d, mm, 2)
	require.Contains(t, mm.Posts()[1].Text, ":rotating_light: **NetBird forwarder**: NetBird API recovered after 0 min outage")
	d.signal(syscall.SIGTERM)
	require.Equal(t, 0, d.waitExit())
	require.Len(t, mm.Posts(), 2)
}

func TestE2EAWrongWebhookIsAConfigurationProblemAndKeepsTheEvents(t *testing.T) {
	f, api := newAPI(t)
	mm, hookURL := newMattermost(t)
	sf := filepath.Join(t.TempDir(), "state.json")
	d := start(t, baseEnv(t, api, sf, "MATTERMOST_WEBHOOK_URL="+strings.Replace(hookURL, mmHook, "deletedhook", 1)))
	d.waitLog("first boot")
	f.AddN(3, "policy.update", "p")
	d.waitLog("HTTP 400: Invalid webhook.")
	require.Contains(t, d.logs(), "config_problem=true")
	require.Equal(t, 1, strings.Count(d.logs(), "Invalid webhook."), "logged once")
	require.Empty(t, mm.Posts())
	require.NotContains(t, d.logs(), "deletedhook")
	entries, err := filepath.Glob(filepath.Join(filepath.Dir(sf), "outbox", "mattermost", "seg-*.json"))
	require.NoError(t, err)
	require.Len(t, entries, 1, "the events wait in the outbox")
}

func waitPosts(t *testing.T, d *daemon, mm *mmfake.Server, n int) {
	t.Helper()
	d.waitFor("mattermost posts", func() bool { return len(mm.Posts()) >= n })
}

func TestE2EWebhookDownFor100PollsThenUpDeliversEveryEventOnceInOrder(t *testing.T) {
	f, api := newAPI(t)
	f.AddN(1, "group.add", "g")
	mm, hookURL := newMattermost(t)
	sf := filepath.Join(t.TempDir(), "state.json")
	d := start(t, baseEnv(t, api, sf, "MATTERMOST_WEBHOOK_URL="+hookURL, "POLL_INTERVAL=0.01", "MAX_CATCHUP=0", "BURST_LIMIT=0"))
	d.waitLog("first boot")
	mm.Down(502)
	polls := func() int { return len(f.Requests()) }
	startPolls := polls()
	added := 0
	for polls() < startPolls+100 {
		f.AddN(1, "policy.update", fmt.Sprintf("e%03d", added))
		added++
		time.Sleep(15 * time.Millisecond)
	}
	d.waitFor("stdout", func() bool { return len(d.stdout()) == added })
	require.Empty(t, mm.Posts())
	mm.Up()
	d.waitFor("all events posted", func() bool { return strings.Count(mmfake.Text(mm.Posts()), "**Policy updated**") >= added })
	var got []string
	for _, l := range strings.Split(mmfake.Text(mm.Posts()), "\n") {
		if i := strings.Index(l, "**Policy updated**: "); i >= 0 {
			got = append(got, strings.Fields(l[i+len("**Policy updated**: "):])[0])
		}
	}
	var want []string
	for i := range added {
		want = append(want, fmt.Sprintf("e%03d-1", i))
	}
	require.Equal(t, want, got, "every event once, in order, after %d polls with the webhook down", polls()-startPolls)
}

func TestE2ECatchUpNoticeAndGapAlertReachMattermost(t *testing.T) {
	f, api := newAPI(t)
	f.AddN(3, "group.add", "g")
	mm, hookURL := newMattermost(t)
	sf := filepath.Join(t.TempDir(), "state.json")
	d := start(t, baseEnv(t, api, sf, "MATTERMOST_WEBHOOK_URL="+hookURL, "MAX_CATCHUP=5", "POLL_INTERVAL=0.5"))
	d.waitLog("first boot")
	f.AddN(10500, "group.delete", "g")
	d.waitFor("the alert and the events", func() bool { return strings.Count(mmfake.Text(mm.Posts()), "**Group deleted**") == 5 })
	text := mmfake.Text(mm.Posts())
	require.Contains(t, text, ":rotating_light: **NetBird forwarder**: audit events 4 to 503 were lost: more than 10,000 events arrived between two polls")
	require.Contains(t, text, ":warning: skipped 9995 older events on catch-up")
	require.Equal(t, 5, strings.Count(text, "**Group deleted**"))
}

// Issue 9's burst: 200 peer.group.add by one initiator in one poll are one
// line in Mattermost and still 200 lines on stdout.
func TestE2EABurstOf200IsOneMattermostLine(t *testing.T) {
	f, api := newAPI(t)
	f.AddN(1, "group.add", "g")
	mm, hookURL := newMattermost(t)
	sf := filepath.Join(t.TempDir(), "state.json")
	d := start(t, baseEnv(t, api, sf, "MATTERMOST_WEBHOOK_URL="+hookURL, "BURST_LIMIT=20", "POLL_INTERVAL=0.5"))
	d.waitLog("first boot")
	f.AddN(200, "peer.group.add", "Ops")
	d.waitFor("200 stdout lines", func() bool { return len(d.stdout()) == 200 })
	waitPosts(t, d, mm, 1)
	posts := mm.Posts()
	require.Len(t, posts, 1)
	require.Regexp(t, "^`[0-9: -]+`–`[0-9: -]+`  \\*\\*200 × Group added to peer\\*\\* by _system_: Ops-1, Ops-10, Ops-100, Ops-101, Ops-102 and 195 more$", posts[0].Text)
}

// SIGTERM (and SIGHUP) while a post is on its way: the daemon waits for the
// answer, records the delivery, and a restart posts nothing twice.
func TestE2EAStopDuringADeliveryWaitsForItAndARestartDoesNotRepeatIt(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGHUP} {
		t.Run(sig.String(), func(t *testing.T) {
			f, api := newAPI(t)
			f.AddN(1, "group.add", "g")
			mm, hookURL := newMattermost(t)
			sf := filepath.Join(t.TempDir(), "state.json")
			env := baseEnv(t, api, sf, "MATTERMOST_WEBHOOK_URL="+hookURL)
			d := start(t, env)
			d.waitLog("first boot")
			mm.AnswerLate(1500 * time.Millisecond)
			f.AddN(2, "policy.update", "p")
			waitPosts(t, d, mm, 1) // stored; the answer is still to come
			stopAt := time.Now()
			d.signal(sig)
			require.Equal(t, 0, d.waitExit())
			require.GreaterOrEqual(t, time.Since(stopAt), time.Second, "waited for the answer")
			mm.AnswerLate(0)

			f.AddN(1, "user.block", "u")
			d = start(t, env)
			waitPosts(t, d, mm, 2)
			time.Sleep(300 * time.Millisecond) // room for a repeat to show
			text := mmfake.Text(mm.Posts())
			require.Equal(t, 2, strings.Count(text, "**Policy updated**"), "the batch in flight went out once:\n%s", text)
			d.signal(syscall.SIGTERM)
			require.Equal(t, 0, d.waitExit())
		})
	}
}

// A torn outbox file (a disk that filled mid-write, a bad block): the daemon
// sets it aside, says so, and goes on forwarding instead of crash-looping.
func TestE2EACorruptOutboxFileIsSetAsideAndForwardingGoesOn(t *testing.T) {
	f, api := newAPI(t)
	f.AddN(1, "group.add", "g")
	mm, hookURL := newMattermost(t)
	sf := filepath.Join(t.TempDir(), "state.json")
	env := baseEnv(t, api, sf, "MATTERMOST_WEBHOOK_URL="+hookURL)
	d := start(t, env)
	d.waitLog("first boot")
	d.signal(syscall.SIGTERM)
	require.Equal(t, 0, d.waitExit())
	box := filepath.Join(filepath.Dir(sf), "outbox", "mattermost")
	require.NoError(t, os.WriteFile(filepath.Join(box, "meta.json"), []byte(`{"accepted":`), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(box, "seg-00000000000000000007.json"), []byte(`{"events":[`), 0o600))

	d = start(t, env)
	d.waitLog("resuming")
	require.Contains(t, d.logs(), `msg="outbox file set aside" sink=mattermost what="meta.json is corrupt`)
	require.Contains(t, d.logs(), "segment seg-00000000000000000007.json is corrupt")
	f.AddN(2, "policy.update", "p")
	d.waitFor("stdout", func() bool { return len(d.stdout()) == 2 })
	waitPosts(t, d, mm, 1)
	require.Equal(t, 2, strings.Count(mmfake.Text(mm.Posts()), "**Policy updated**"))
}
