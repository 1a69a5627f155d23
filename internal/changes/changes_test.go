package changes

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/event"
	"github.com/styliteag/birdseye/internal/netbird/fake"
	"github.com/styliteag/birdseye/internal/netbird/nbtest"
)

const adminsPolicy = "dc1uf0tqmd2qmv54vjvg" // "Admins to Servers", rule "ssh", ports 22 and 2222

// edit changes the fake's policies as an admin would in the dashboard.
func edit(t *testing.T, f *fake.Server, fn func(p map[string]any)) {
	var ps []map[string]any
	require.NoError(t, json.Unmarshal(f.Collection("policies"), &ps))
	for _, p := range ps {
		if p["id"] == adminsPolicy {
			fn(p)
		}
	}
	raw, _ := json.Marshal(ps)
	f.SetPolicies(string(raw))
}

func policyUpdate(id event.ID) event.Event {
	return event.Event{ID: id, ActivityCode: "policy.update", InitiatorName: "alice", TargetID: adminsPolicy, Meta: event.Meta{{Key: "name", Value: "Admins to Servers"}}}
}

func tracker(t *testing.T, api API, dir string) *Tracker {
	if dir == "" {
		dir = t.TempDir()
	}
	return &Tracker{API: api, Dir: dir, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
}

func TestAPolicyRulePortChangeNamesTheRuleAndThePortsBeforeAndAfter(t *testing.T) {
	f, c := nbtest.Start(t, fake.AuditorToken)
	tr := tracker(t, c, "")
	require.NoError(t, tr.Prime(t.Context()))
	edit(t, f, func(p map[string]any) {
		r := p["rules"].([]any)[0].(map[string]any)
		r["ports"] = []any{"22"}
		p["enabled"] = false
	})
	evs := []event.Event{policyUpdate(30), {ID: 31, ActivityCode: "peer.login.expire"}}
	tr.Resolve(t.Context(), evs)
	require.Equal(t, []event.Change{
		{Path: "enabled", Before: "true", After: "false"},
		{Path: `rules["ssh"].ports`, Before: "[22, 2222]", After: "[22]"},
	}, evs[0].Changes)
	require.Empty(t, evs[1].Changes, "not a configuration change")
	require.Empty(t, evs[1].ChangesNote)

	// Offered again (a failed delivery, a restart): the same diff, although
	// the snapshot has moved on.
	again := []event.Event{policyUpdate(30)}
	tracker(t, c, tr.Dir).Resolve(t.Context(), again)
	require.Equal(t, evs[0].Changes, again[0].Changes)

	recs, err := ReadLog(tr.LogFile(), time.Now().Add(-time.Hour))
	require.NoError(t, err)
	require.Len(t, recs, 1)
	require.Equal(t, "alice", recs[0].Initiator)
	require.Equal(t, "policy", recs[0].Kind)
	require.Equal(t, "Admins to Servers", recs[0].Name)
}

func TestTheFirstRunSaysTheBeforeStateIsUnknown(t *testing.T) {
	_, c := nbtest.Start(t, fake.AuditorToken)
	evs := []event.Event{policyUpdate(1)}
	tracker(t, c, "").Resolve(t.Context(), evs)
	require.Empty(t, evs[0].Changes)
	require.Equal(t, "before-state unknown: birdseye had no snapshot of this policy yet", evs[0].ChangesNote)
}

func TestAddedAndDeletedObjectsAndGroupListsReadAsNames(t *testing.T) {
	f, c := nbtest.Start(t, fake.AuditorToken)
	tr := tracker(t, c, "")
	require.NoError(t, tr.Prime(t.Context()))
	edit(t, f, func(p map[string]any) {
		r := p["rules"].([]any)[0].(map[string]any)
		r["sources"] = append(r["sources"].([]any), map[string]any{"id": "g9", "name": "Contractors", "peers_count": 4})
	})
	evs := []event.Event{policyUpdate(2)}
	tr.Resolve(t.Context(), evs)
	require.Len(t, evs[0].Changes, 1)
	require.Equal(t, `rules["ssh"].sources`, evs[0].Changes[0].Path)
	require.Contains(t, evs[0].Changes[0].After, "Contractors")
	require.Regexp(t, `^\[.*Contractors.*\]$`, evs[0].Changes[0].After, "a list of groups is written as other lists are: [a, b]")

	f.SetPolicies(`[]`)
	del := []event.Event{{ID: 3, ActivityCode: "policy.delete", TargetID: adminsPolicy}}
	tr.Resolve(t.Context(), del)
	require.NotEmpty(t, del[0].Changes)
	for _, ch := range del[0].Changes {
		require.Contains(t, []string{"", "removed"}, ch.After, "everything is gone: %v", ch)
	}
}

// A create shows each field of the new object, whole (the change log keeps
// every field; one-line renderings cut), with the same note for every kind,
// whether or not birdseye had a snapshot; ids of groups read as names; the
// record has the event's time and the object's name.
func TestACreateShowsEveryFieldWholeWithIDsAsNames(t *testing.T) {
	f, c := nbtest.Start(t, fake.AuditorToken)
	tr := tracker(t, c, "")
	require.NoError(t, tr.Prime(t.Context()))
	var keys []map[string]any
	require.NoError(t, json.Unmarshal(f.Collection("setup-keys"), &keys))
	long := strings.Repeat("x", 300)
	keys = append(keys, map[string]any{"id": "k-new", "name": long, "auto_groups": []any{"dc1uf0tqmd2qmv54vjs0"}, "type": "reusable"})
	raw, _ := json.Marshal(keys)
	f.SetSetupKeys(string(raw))
	at := time.Date(2026, 11, 23, 7, 0, 0, 0, time.UTC)
	evs := []event.Event{{ID: 40, ActivityCode: "setupkey.add", TargetID: "k-new", Timestamp: at.Format(time.RFC3339)},
		{ID: 41, ActivityCode: "setupkey.group.add", TargetID: "k-new", Meta: event.Meta{{Key: "setupkey", Value: "renamed-by-meta"}}}}
	tr.Resolve(t.Context(), evs)
	require.Contains(t, evs[0].Changes, event.Change{Path: "auto_groups", After: "[Ops]"}, "the group id reads as its name")
	require.Contains(t, evs[0].Changes, event.Change{Path: "name", After: long}, "whole, not cut at 120")
	recs, err := ReadLog(tr.LogFile(), time.Time{})
	require.NoError(t, err)
	require.Equal(t, "created", recs[0].Note)
	require.Equal(t, at, recs[0].EventAt)
	require.Equal(t, long, recs[0].Name, "the object's name when the event's meta has none")
	require.Equal(t, "renamed-by-meta", recs[1].Name, "setupkey.group.* name the key under setupkey")

	// Without a snapshot (the first run), a create is still a create.
	groupAdd := []event.Event{{ID: 1, ActivityCode: "group.add", TargetID: "dc1uf0tqmd2qmv54vjs0"}}
	tracker(t, c, "").Resolve(t.Context(), groupAdd)
	require.Contains(t, groupAdd[0].Changes, event.Change{Path: "name", After: "Ops"})
}

func TestDiffKeysRulesByNameAndIgnoresCounters(t *testing.T) {
	before := json.RawMessage(`{"name":"p","rules":[{"name":"a","ports":["1"]},{"name":"b","ports":["2"]}],"peers_count":3}`)
	after := json.RawMessage(`{"name":"p","rules":[{"name":"b","ports":["2"]},{"name":"c","ports":["3"]}],"peers_count":9}`)
	require.Equal(t, []event.Change{
		{Path: `rules["a"]`, Before: "present", After: "removed"},
		{Path: `rules["a"].name`, Before: "a"},
		{Path: `rules["a"].ports`, Before: "[1]"},
		{Path: `rules["c"]`, After: "added"},
		{Path: `rules["c"].name`, After: "c"},
		{Path: `rules["c"].ports`, After: "[3]"},
	}, Diff(before, after), "order changes and counters are not changes; an added or removed rule shows what it holds")
}

// A created object lists what it holds, not its own id (which no one set
// and which read as "id (none) → <name>"), nor fields that are empty
// either way ("description (none) → (none)").
func TestACreateListsNeitherItsIDNorEmptyFields(t *testing.T) {
	got := Diff(nil, json.RawMessage(`{"id":"g1","name":"Ops","description":"","peers":[]}`))
	require.Equal(t, []event.Change{{Path: "name", After: "Ops"}}, got)
}

type mailbox struct {
	subjects, bodies []string
	err              error
}

func (m *mailbox) Send(_ context.Context, subject, body string) error {
	if m.err != nil {
		return m.err
	}
	m.subjects, m.bodies = append(m.subjects, subject), append(m.bodies, body)
	return nil
}

func TestTheChangeReportCoversTheTimeSinceThePreviousOneAndAFailedMailIsNoGap(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	require.NoError(t, appendLog(filepath.Join(dir, "changes.jsonl"), []Record{
		{At: now.Add(-10 * 24 * time.Hour), EventID: 1, Code: "policy.update", Initiator: "old", Kind: "policy", Name: "Old"},
		{At: now.Add(-2 * 24 * time.Hour), EventAt: now.Add(-2*24*time.Hour - 90*time.Second), EventID: 2, Code: "policy.update", Initiator: "alice", Kind: "policy", Name: "Admins to Servers",
			Changes: []event.Change{{Path: `rules["ssh"].ports`, Before: "[22, 2222]", After: "[22]"}}},
		{At: now.Add(-time.Hour), EventID: 3, Code: "group.add", Initiator: "bob", Kind: "group", Name: "Ops", Note: "before-state unknown: birdseye had no snapshot of this group yet"},
	}))
	mb := &mailbox{}
	n, err := MailReport(t.Context(), dir, mb, time.UTC, now)
	require.NoError(t, err)
	require.Equal(t, 2, n, "a week back the first time")
	require.Equal(t, "[NetBird] 2 configuration changes (2026-11-16 – 2026-11-23)", mb.subjects[0])
	require.Equal(t, `Configuration changes 2026-11-16 08:00 – 2026-11-23 08:00 (UTC): 2
By: alice 1, bob 1

2026-11-21 07:58:30  policy.update  by alice  policy 'Admins to Servers'
    rules["ssh"].ports: [22, 2222] → [22]

2026-11-23 07:00:00  group.add  by bob  group 'Ops'
    (before-state unknown: birdseye had no snapshot of this group yet)
`, mb.bodies[0])

	require.NoError(t, appendLog(filepath.Join(dir, "changes.jsonl"), []Record{{At: now.Add(time.Hour), EventID: 4, Code: "route.update", Initiator: "carol", Kind: "route"}}))
	mb.err = errors.New("smtp down")
	_, err = MailReport(t.Context(), dir, mb, time.UTC, now.Add(7*24*time.Hour))
	require.Error(t, err)
	mb.err = nil
	n, err = MailReport(t.Context(), dir, mb, time.UTC, now.Add(7*24*time.Hour+time.Minute))
	require.NoError(t, err)
	require.Equal(t, 1, n, "from the last report on, the failed one included")
	require.Equal(t, "[NetBird] 1 configuration change (2026-11-23 – 2026-11-30)", mb.subjects[1])
}

func TestAnEventAboutAnObjectTheAPIDoesNotListGetsNoNote(t *testing.T) {
	_, c := nbtest.Start(t, fake.AuditorToken)
	tr := tracker(t, c, "")
	require.NoError(t, tr.Prime(t.Context()))
	evs := []event.Event{{ID: 5, ActivityCode: "policy.update", TargetID: "no-such-policy"}}
	tr.Resolve(t.Context(), evs)
	require.Empty(t, evs[0].Changes)
	require.Empty(t, evs[0].ChangesNote)
	again := []event.Event{{ID: 5, ActivityCode: "policy.update", TargetID: "no-such-policy"}}
	tr.Resolve(t.Context(), again)
	require.Empty(t, again[0].ChangesNote)
}

func TestPrimeDropsChangeLogRecordsOlderThanAYearAndAMonth(t *testing.T) {
	_, c := nbtest.Start(t, fake.AuditorToken)
	tr := tracker(t, c, "")
	now := time.Now()
	require.NoError(t, appendLog(tr.LogFile(), []Record{
		{At: now.Add(-KeepLog - time.Hour), EventID: 1, Code: "policy.update"},
		{At: now.Add(-24 * time.Hour), EventID: 2, Code: "group.add"},
	}))
	require.NoError(t, tr.Prime(t.Context()))
	recs, err := ReadLog(tr.LogFile(), time.Time{})
	require.NoError(t, err)
	require.Len(t, recs, 1)
	require.Equal(t, event.ID(2), recs[0].EventID)
}

// A backfilled event (first boot, BACKFILL) happened before birdseye's first
// snapshot, which already holds its change: diffing against it said "no field
// changed", which is not so. Its before-state is unknown, and said so.
func TestAnEventOlderThanTheFirstSnapshotHasAnUnknownBeforeState(t *testing.T) {
	f, c := nbtest.Start(t, fake.AuditorToken)
	tr := tracker(t, c, "")
	require.NoError(t, tr.Prime(t.Context()))
	old := policyUpdate(1)
	old.Timestamp = time.Now().Add(-time.Hour).UTC().Format(time.RFC3339Nano)
	evs := []event.Event{old}
	tr.Resolve(t.Context(), evs)
	require.Empty(t, evs[0].Changes)
	require.Equal(t, "before-state unknown: the event is older than birdseye's first snapshot of this policy", evs[0].ChangesNote)

	edit(t, f, func(p map[string]any) { p["enabled"] = false })
	later := policyUpdate(2)
	later.Timestamp = time.Now().Add(time.Second).UTC().Format(time.RFC3339Nano)
	evs = []event.Event{later}
	tr.Resolve(t.Context(), evs)
	require.Equal(t, []event.Change{{Path: "enabled", Before: "true", After: "false"}}, evs[0].Changes)
}

// A network lists its policies and resources by id; the diff promises
// names, so ids of policies and network resources birdseye knows read as
// their names, as groups and posture checks do.
func TestPolicyAndResourceIDsReadAsNames(t *testing.T) {
	tr := &Tracker{snaps: map[string]map[string]json.RawMessage{
		"/policies":              {"p1": json.RawMessage(`{"id":"p1","name":"Admins to Servers"}`)},
		"/networks/n1/resources": {"r1": json.RawMessage(`{"id":"r1","name":"db.internal"}`)},
	}}
	got := DiffNamed(nil, json.RawMessage(`{"id":"n1","name":"office","policies":["p1"],"resources":["r1"]}`), tr.idNames(nil))
	require.Equal(t, []event.Change{
		{Path: "name", After: "office"},
		{Path: "policies", After: "[Admins to Servers]"},
		{Path: "resources", After: "[db.internal]"},
	}, got)
}

// stubAPI answers GetRaw from fixed bodies and counts the reads.
type stubAPI struct {
	bodies map[string]string
	reads  map[string]int
}

func (s *stubAPI) GetRaw(_ context.Context, path string) (json.RawMessage, error) {
	if s.reads == nil {
		s.reads = map[string]int{}
	}
	s.reads[path]++
	b, ok := s.bodies[path]
	if !ok {
		b = "[]"
	}
	return json.RawMessage(b), nil
}

// A route and a network router name their routing peer by id; the diff
// promises names, so the peer is read as its name (peers are not
// snapshotted: they are read once per poll, and only when a diff needs one).
func TestARoutesAndARoutersPeerReadAsItsName(t *testing.T) {
	api := &stubAPI{bodies: map[string]string{
		"/routes":           `[]`,
		"/networks/routers": `[]`,
		"/peers":            `[{"id":"p1","name":"gw-office","ip":"100.64.0.1"}]`,
	}}
	tr := tracker(t, api, "")
	require.NoError(t, tr.Prime(t.Context()))
	api.bodies["/routes"] = `[{"id":"r1","network_id":"office","network":"10.0.0.0/24","peer":"p1","enabled":true}]`
	api.bodies["/networks/routers"] = `[{"id":"nr1","peer":"p1","enabled":true,"metric":9999}]`
	evs := []event.Event{
		{ID: 1, ActivityCode: "route.add", TargetID: "r1"},
		{ID: 2, ActivityCode: "network.router.create", TargetID: "nr1"},
	}
	tr.Resolve(t.Context(), evs)
	require.Contains(t, evs[0].Changes, event.Change{Path: "peer", After: "gw-office"})
	require.Contains(t, evs[1].Changes, event.Change{Path: "peer", After: "gw-office"})
	require.Equal(t, 1, api.reads["/peers"], "peers are read once for the whole poll")

	// A poll without a route or router reads no peers.
	api.bodies["/groups"] = `[{"id":"g1","name":"ops"}]`
	tr.Resolve(t.Context(), []event.Event{{ID: 3, ActivityCode: "group.add", TargetID: "g1"}})
	require.Equal(t, 1, api.reads["/peers"])
}
