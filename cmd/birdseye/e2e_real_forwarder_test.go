package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/netbird/realtest"
)

// forwarded reads the file sink's JSON Lines: the audit events only (not
// birdseye's own notices), in the order written.
func forwarded(t *testing.T, path string) []jsonObj {
	t.Helper()
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil
	}
	require.NoError(t, err)
	var out []jsonObj
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if line == "" {
			continue
		}
		var e jsonObj
		require.NoError(t, json.Unmarshal([]byte(line), &e), line)
		if code, _ := e["activity_code"].(string); !strings.HasPrefix(code, "birdseye.") {
			out = append(out, e)
		}
	}
	return out
}

func eventIDs(events []jsonObj) []string {
	var out []string
	for _, e := range events {
		out = append(out, e["id"].(string))
	}
	return out
}

// apiEventIDs are the server's audit event ids, oldest first.
func apiEventIDs(t *testing.T, s *realtest.Server) []string {
	t.Helper()
	all := realList(t, s, "/api/events/audit")
	var out []string
	for i := len(all) - 1; i >= 0; i-- {
		out = append(out, all[i]["id"].(string))
	}
	return out
}

// runForwarder runs `birdseye run` until the file sink holds want events
// (counted from the start of the file), then stops it with SIGTERM.
func runForwarder(t *testing.T, s *realtest.Server, token, state, sink string, want int, extra ...string) {
	t.Helper()
	env := append([]string{"PATH=" + os.Getenv("PATH"), "NB_URL=" + s.URL, "NB_API_KEY=" + token, "STATE_FILE=" + state,
		"POLL_INTERVAL=0.05", "EVENTS_DB_POLL_INTERVAL=0.05", "BACKOFF_CAP_SECONDS=0.2", "TZ=UTC", "WATCH=off", "CHANGE_DIFFS=off",
		"FILE_SINK_PATH=" + sink, "STDOUT_INCLUDE="}, extra...)
	d := start(t, env)
	d.waitFor("the events in the file sink", func() bool { return len(forwarded(t, sink)) >= want })
	d.signal(syscall.SIGTERM)
	require.Equal(t, 0, d.waitExit(), d.logs())
}

// The forwarder against a real server, from the API and from its events.db:
// every event once and in order, a user deleted after making events still
// named, and a switch of EVENTS_SOURCE on one state file neither repeats
// nor loses an event.
func TestE2ERealForwarderFromTheAPIAndFromTheStore(t *testing.T) {
	s := startReal(t)
	_, auditor := s.ServiceUser(t, "forwarder", "auditor")
	tempID, temp := s.ServiceUser(t, "temp-admin", "admin")
	s.MustDo(t, temp, "POST", "/api/groups", jsonObj{"name": "made-by-temp"}, nil)
	s.MustDo(t, s.OwnerToken, "DELETE", "/api/users/"+tempID, nil, nil)
	// A person invited, given a group and a role, then deleted: the events
	// about them outlive them.
	var person struct {
		ID string `json:"id"`
	}
	s.MustDo(t, s.OwnerToken, "POST", "/api/users", jsonObj{"email": "dana@example.com", "name": "Dana", "role": "user", "is_service_user": false, "auto_groups": []string{}}, &person)
	s.MustDo(t, s.OwnerToken, "PUT", "/api/users/"+person.ID, jsonObj{"role": "admin", "auto_groups": []string{}, "is_blocked": false}, nil)
	s.MustDo(t, s.OwnerToken, "DELETE", "/api/users/"+person.ID, nil, nil)
	s.Group(t, "made-by-owner")
	waitAudited(t, s, "group.add", "made-by-owner") // the last change's event is stored, so the history is whole
	storeEnv := []string{"EVENTS_SOURCE=db", "EVENTS_DB=" + filepath.Join(s.DataDir, "events.db"), "NB_DATASTORE_ENCRYPTION_KEY=" + s.Key}

	// Both sources from the first boot, with the whole history.
	all := apiEventIDs(t, s)
	require.GreaterOrEqual(t, len(all), 6)
	viaAPI := filepath.Join(t.TempDir(), "api.jsonl")
	runForwarder(t, s, auditor, filepath.Join(t.TempDir(), "state.json"), viaAPI, len(all), "BACKFILL=10000")
	viaDB := filepath.Join(t.TempDir(), "db.jsonl")
	runForwarder(t, s, auditor, filepath.Join(t.TempDir(), "state.json"), viaDB, len(all), append(storeEnv, "BACKFILL=10000")...)
	a, d := forwarded(t, viaAPI), forwarded(t, viaDB)
	require.Equal(t, all, eventIDs(a), "the API source: every event once, oldest first")
	require.Equal(t, all, eventIDs(d), "the store source: every event once, oldest first")
	for i := range a {
		for _, k := range []string{"id", "timestamp", "activity", "activity_code", "initiator_id", "target_id"} {
			require.Equal(t, a[i][k], d[i][k], "event %s: %s", a[i]["id"], k)
		}
	}
	// A deleted service user is not named by NetBird (only people are kept
	// in deleted_users): from either source the events keep its id.
	for i := range a {
		if a[i]["initiator_id"] == tempID {
			require.Equal(t, "", a[i]["initiator_name"])
			require.Equal(t, a[i]["initiator_label"], d[i]["initiator_label"])
		}
		// A SIEM sees the same data whichever the source: the store's
		// events get what the API adds (names, a target user's e-mail and
		// name, meta in the API's order).
		require.Equal(t, canonical(a[i]), canonical(d[i]), "event %s", a[i]["id"])
	}

	// Without the store key the deleted person is "unknown", as NetBird
	// itself says of a name it cannot open, and the start says why, once.
	keyless := filepath.Join(t.TempDir(), "keyless.jsonl")
	env0 := []string{"PATH=" + os.Getenv("PATH"), "NB_URL=" + s.URL, "NB_API_KEY=" + auditor, "STATE_FILE=" + filepath.Join(t.TempDir(), "state.json"),
		"POLL_INTERVAL=0.05", "EVENTS_DB_POLL_INTERVAL=0.05", "TZ=UTC", "WATCH=off", "CHANGE_DIFFS=off", "FILE_SINK_PATH=" + keyless, "STDOUT_INCLUDE=",
		"BACKFILL=10000", "EVENTS_SOURCE=db", "EVENTS_DB=" + filepath.Join(s.DataDir, "events.db")}
	dk := start(t, env0)
	dk.waitFor("the history", func() bool { return len(forwarded(t, keyless)) >= len(all) })
	dk.signal(syscall.SIGTERM)
	require.Equal(t, 0, dk.waitExit(), dk.logs())
	require.Equal(t, 1, strings.Count(dk.logs(), "the store key does not open the deleted users of events.db"), dk.logs())
	unknown := 0
	for _, e := range forwarded(t, keyless) {
		if e["target_id"] == person.ID && e["meta"].(jsonObj)["username"] != nil {
			require.Equal(t, "unknown", e["meta"].(jsonObj)["username"])
			require.Equal(t, "unknown@unknown.com", e["meta"].(jsonObj)["email"])
			unknown++
		}
	}
	require.NotZero(t, unknown)

	// One state file, the source switched between runs.
	state := filepath.Join(t.TempDir(), "state.json")
	sink := filepath.Join(t.TempDir(), "switch.jsonl")
	runForwarder(t, s, auditor, state, sink, len(all), "BACKFILL=10000")
	s.Group(t, "after-api")
	runForwarder(t, s, auditor, state, sink, len(all)+1, storeEnv...)
	s.Group(t, "after-db")
	runForwarder(t, s, auditor, state, sink, len(all)+2)
	require.Equal(t, apiEventIDs(t, s), eventIDs(forwarded(t, sink)), "no event repeated or lost across the switches")

	// A service user made while the store source runs: its first action
	// carries its name at once, as the API gives it (names were looked up
	// once a minute while the store is read every second).
	live := filepath.Join(t.TempDir(), "live.jsonl")
	env := append([]string{"PATH=" + os.Getenv("PATH"), "NB_URL=" + s.URL, "NB_API_KEY=" + auditor, "STATE_FILE=" + filepath.Join(t.TempDir(), "state.json"),
		"POLL_INTERVAL=0.05", "EVENTS_DB_POLL_INTERVAL=0.05", "TZ=UTC", "WATCH=off", "CHANGE_DIFFS=off", "FILE_SINK_PATH=" + live, "STDOUT_INCLUDE=", "BACKFILL=10000"}, storeEnv...)
	d2 := start(t, env)
	have := len(apiEventIDs(t, s))
	d2.waitFor("the history", func() bool { return len(forwarded(t, live)) >= have })
	_, newbie := s.ServiceUser(t, "new-bot", "admin")
	s.MustDo(t, newbie, "POST", "/api/groups", jsonObj{"name": "made-by-new-bot"}, nil)
	d2.waitFor("the new bot's group", func() bool {
		got := forwarded(t, live)
		return len(got) > 0 && got[len(got)-1]["meta"].(jsonObj)["name"] == "made-by-new-bot"
	})
	d2.signal(syscall.SIGTERM)
	require.Equal(t, 0, d2.waitExit(), d2.logs())
	got := forwarded(t, live)
	require.Equal(t, "new-bot", got[len(got)-1]["initiator_name"])
	viaAPINow := realList(t, s, "/api/events/audit")[0]
	require.Equal(t, viaAPINow["initiator_name"], got[len(got)-1]["initiator_name"], "as the API names it")
}
