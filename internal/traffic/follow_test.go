package traffic

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/netbird"
	"github.com/styliteag/birdseye/internal/netbird/fake"
	"github.com/styliteag/birdseye/internal/netbird/nbtest"
)

func TestPollReadsEachRecordOnceLateOnesAndRestartsIncluded(t *testing.T) {
	f, c := nbtest.Start(t, fake.AuditorToken)
	now := t0.Add(time.Hour)
	fl := flows(5) // t0 … t0+4s
	f.EnableTraffic(fl...)
	first, cur, err := Newest(t.Context(), c, netbird.TrafficFilter{}, 2, now.Add(-2*time.Hour), now)
	require.NoError(t, err)
	require.Len(t, first, 2)
	require.Equal(t, t0.Add(4*time.Second), at(first[1]), "the newest last")

	late := fl[0]
	late.Start = t0.Add(2500 * time.Millisecond) // reported after newer ones
	newer := fl[1]
	newer.Start = t0.Add(10 * time.Second)
	f.EnableTraffic(newer, late)

	b, err := json.Marshal(cur) // a restart: the cursor goes through the state file
	require.NoError(t, err)
	cur = Cursor{}
	require.NoError(t, json.Unmarshal(b, &cur))

	got, cur, _, err := Poll(t.Context(), c, netbird.TrafficFilter{}, cur, 10, 4)
	require.NoError(t, err)
	require.Len(t, got, 2, "the late one and the newer one, not the five already read")
	require.Equal(t, []time.Time{late.Start, newer.Start}, []time.Time{at(got[0]), at(got[1])}, "in time order")
	got, _, _, err = Poll(t.Context(), c, netbird.TrafficFilter{}, cur, 10, 4)
	require.NoError(t, err)
	require.Empty(t, got, "nothing twice")
}

func TestPollAcrossManyPagesMissesNothing(t *testing.T) {
	f, c := nbtest.Start(t, fake.AuditorToken)
	f.EnableTraffic() // on, and empty
	_, cur, err := Newest(t.Context(), c, netbird.TrafficFilter{}, 10, t0.Add(-time.Hour), t0)
	require.NoError(t, err)
	f.EnableTraffic(flows(25)...)
	got, _, _, err := Poll(t.Context(), c, netbird.TrafficFilter{}, cur, 10, 4)
	require.NoError(t, err)
	require.Len(t, got, 25)
	seen := map[string]bool{}
	for _, e := range got {
		require.False(t, seen[key(e)])
		seen[key(e)] = true
	}
}

func TestARecordWithoutAnIDIsKeyedByFlowReporterAndWindow(t *testing.T) {
	a := rec("A", "pa", "EGRESS", t0, 1, 1)
	b := rec("A", "pd", "INGRESS", t0, 1, 1)
	c := rec("A", "pa", "EGRESS", t0.Add(time.Minute), 1, 1)
	require.NotEqual(t, key(a), key(b))
	require.NotEqual(t, key(a), key(c))
	require.Equal(t, key(a), key(rec("A", "pa", "EGRESS", t0, 9, 9)), "the same record, whatever its counts")
}

func TestTrafficLineAtAGlance(t *testing.T) {
	e := rec("A", "pa", "EGRESS", t0, 2000, 1000)
	e.NumOfDrops = 1
	require.Equal(t, "2026-11-23 08:00:00 blocked alice-laptop (100.77.0.1:51000) → db-server (100.77.0.2:5432) tcp EGRESS policy 'Admins to Servers' user alice@example.com rx/tx 1000/2000", Line(e, time.UTC))
}

func TestNewestFirstOrdersByWindowStart(t *testing.T) {
	recs := []netbird.TrafficEvent{rec("A", "pa", "EGRESS", t0, 1, 1), rec("B", "pa", "EGRESS", t0.Add(time.Hour), 1, 1), rec("C", "pa", "EGRESS", t0.Add(time.Minute), 1, 1)}
	NewestFirst(recs)
	require.Equal(t, []string{"B", "C", "A"}, []string{recs[0].FlowID, recs[1].FlowID, recs[2].FlowID})
}

// More new records than one poll reads: each poll reads the oldest part, the
// next polls go on from there, and every record comes once, in order,
// whether the server pages oldest or newest first.
func TestPollsReadAnyBacklogOverTheNextPollsInOrder(t *testing.T) {
	for _, newestFirst := range []bool{false, true} {
		t.Run(map[bool]string{false: "oldest-first", true: "newest-first"}[newestFirst], func(t *testing.T) {
			f, c := nbtest.Start(t, fake.AuditorToken)
			f.TrafficNewestFirst = newestFirst
			f.EnableTraffic()
			_, cur, err := Newest(t.Context(), c, netbird.TrafficFilter{}, 10, t0.Add(-time.Hour), t0.Add(-time.Minute))
			require.NoError(t, err)
			f.EnableTraffic(flows(50)...)
			var got []time.Time
			capped := 0
			for range 20 {
				recs, next, waiting, err := Poll(t.Context(), c, netbird.TrafficFilter{}, cur, 2, 4) // 8 a poll
				require.NoError(t, err)
				require.LessOrEqual(t, len(recs), 8, "memory follows the bound")
				for _, r := range recs {
					got = append(got, at(r))
				}
				if waiting > 0 {
					capped++
				}
				cur = next
			}
			require.Len(t, got, 50, "every record")
			for i, g := range got {
				require.Equal(t, t0.Add(time.Duration(i)*time.Second), g, "once each, oldest first")
			}
			require.GreaterOrEqual(t, capped, 5, "the capped polls say so")
		})
	}
}
