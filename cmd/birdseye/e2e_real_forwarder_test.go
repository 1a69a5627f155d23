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
		// Known gap (issue 29): for an event about a live user the API adds
		// meta.email and meta.username, which the store does not hold.
		// Everything else is the same.
		require.Equal(t, canonical(withoutUserMeta(a[i])), canonical(withoutUserMeta(d[i])), "event %s", a[i]["id"])
	}

	// One state file, the source switched between runs.
	state := filepath.Join(t.TempDir(), "state.json")
	sink := filepath.Join(t.TempDir(), "switch.jsonl")
	runForwarder(t, s, auditor, state, sink, len(all), "BACKFILL=10000")
	s.Group(t, "after-api")
	runForwarder(t, s, auditor, state, sink, len(all)+1, storeEnv...)
	s.Group(t, "after-db")
	runForwarder(t, s, auditor, state, sink, len(all)+2)
	require.Equal(t, apiEventIDs(t, s), eventIDs(forwarded(t, sink)), "no event repeated or lost across the switches")
}

func withoutUserMeta(e jsonObj) jsonObj {
	out := jsonObj{}
	for k, v := range e {
		out[k] = v
	}
	if m, ok := e["meta"].(jsonObj); ok {
		meta := jsonObj{}
		for k, v := range m {
			if k != "email" && k != "username" {
				meta[k] = v
			}
		}
		out["meta"] = meta
	}
	return out
}
