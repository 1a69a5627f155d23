package outbox

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/event"
	"github.com/styliteag/birdseye/internal/sink"
)

// Room is the free space of the fullest outbox among the sinks that take
// every event and are delivering; a sink that is down, a capped people sink
// and an unbounded outbox do not limit it.
func TestRoomIsTheSmallestFreeSpaceAmongSinksThatAreKeepingUp(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		open := func(name string, limit int) *Box {
			b, err := Open(t.TempDir(), name, limit)
			require.NoError(t, err)
			return b
		}
		webhook := &flaky{down: true, name: "webhook"}
		file := open("file", 100)
		hook := open("webhook", 100)
		chat := open("mattermost", 100)
		digest := open("email", 100)
		require.NoError(t, digest.Enqueue(evs(seqIDs(1, 95)...), nil))
		drainers := []*Drainer{
			{Box: file, Sink: &flaky{}, MinBackoff: time.Second, MaxBackoff: time.Minute, Log: quiet()},
			{Box: hook, Sink: webhook, MinBackoff: time.Second, MaxBackoff: time.Minute, Log: quiet()},
			{Box: chat, Sink: &flaky{down: true}, MaxCatchup: 5, MinBackoff: time.Second, MaxBackoff: time.Minute, Log: quiet()},
			{Box: open("syslog", 0), Sink: &flaky{}, MinBackoff: time.Second, MaxBackoff: time.Minute, Log: quiet()},
			// A digest with MAX_CATCHUP=0: it holds its events for an hour by design.
			{Box: digest, Sink: &flaky{}, MinBackoff: time.Second, MaxBackoff: time.Minute, Log: quiet(),
				Hold: func(sink.Batch, time.Time) time.Duration { return time.Hour }},
		}
		require.Equal(t, 100, Room(drainers), "nothing queued but the digest, which holds its events on purpose")

		// 40 events queued for the webhook before it is known to be down:
		// it counts as keeping up until a delivery fails.
		require.NoError(t, hook.Enqueue(evs(seqIDs(1, 40)...), nil))
		require.NoError(t, chat.Enqueue(evs(seqIDs(1, 90)...), nil))
		require.Equal(t, 60, Room(drainers))
		_, fullest := Fullest(drainers)
		require.Equal(t, "webhook", fullest, "the webhook's outbox is the fullest")

		for _, d := range drainers {
			go d.Run(t.Context())
		}
		synctest.Wait() // the webhook's delivery failed; the file drained
		require.Equal(t, 100, Room(drainers), "a sink that is down keeps its own limit")

		webhook.set(false)
		time.Sleep(2 * time.Second) // its retry delivers
		synctest.Wait()
		require.Zero(t, hook.Pending())
		webhook.set(true)
		require.NoError(t, hook.Enqueue(evs(seqIDs(41, 70)...), nil))
		synctest.Wait()
		require.Equal(t, 30, hook.Pending())
		require.Equal(t, 100, Room(drainers), "down again after the failed delivery: its 30 do not count")

		require.Equal(t, 95, digest.Pending(), "held for the digest")
		require.Equal(t, -1, Room(drainers[3:]), "an unbounded outbox has no limit, a held digest does not count")
	})
}

func seqIDs(from, to int) []event.ID {
	var out []event.ID
	for i := from; i <= to; i++ {
		out = append(out, event.ID(i))
	}
	return out
}
