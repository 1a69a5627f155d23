package state

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// Heartbeat is what the running daemon tells `birdseye healthcheck`: when its
// loop last went round and when it means to go round again. It lives next to
// the state file and is rewritten every iteration, without fsync: losing one
// to a crash costs nothing.
type Heartbeat struct {
	PID         int       `json:"pid"`
	At          time.Time `json:"at"`
	NextPoll    time.Time `json:"next_poll"`
	LastSuccess time.Time `json:"last_success,omitzero"`
	OutageSince time.Time `json:"outage_since,omitzero"`
	LastError   string    `json:"last_error,omitempty"`
	// Source is SourceStore when the audit events come from events.db; an
	// outage is then the store's, not the API's.
	Source string `json:"source,omitempty"`
}

// SourceStore marks a heartbeat whose audit source is NetBird's events.db.
const SourceStore = "events.db"

// HeartbeatPath is the heartbeat file that belongs to a state file.
func HeartbeatPath(stateFile string) string {
	return filepath.Join(filepath.Dir(stateFile), "heartbeat.json")
}

// WriteHeartbeat replaces the heartbeat file.
func WriteHeartbeat(path string, hb Heartbeat) error {
	b, _ := json.Marshal(hb)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("write heartbeat: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write heartbeat: %w", err)
	}
	return nil
}

// ReadHeartbeat reads the heartbeat file.
func ReadHeartbeat(path string) (Heartbeat, error) {
	var hb Heartbeat
	b, err := os.ReadFile(path)
	if err != nil {
		return hb, err
	}
	if err := json.Unmarshal(b, &hb); err != nil {
		return hb, fmt.Errorf("heartbeat %s: %w", path, err)
	}
	return hb, nil
}

// Health is the verdict of `birdseye healthcheck`.
type Health struct {
	Healthy bool
	Lines   []string // what to print, one fact per line
}

// Grace is how late the loop may be past its planned next poll: one request
// may take up to the client's 90 s timeout.
const Grace = 2 * time.Minute

// Check judges a daemon from its heartbeat: healthy when its loop went round
// when it planned to (give or take Grace) and the state directory is
// writable. An API outage is reported but is not unhealthy: restarting
// birdseye would not bring NetBird back.
func Check(stateFile string, now time.Time) Health {
	var h Health
	hb, err := ReadHeartbeat(HeartbeatPath(stateFile))
	switch {
	case errors.Is(err, os.ErrNotExist):
		h.Lines = append(h.Lines, "unhealthy: no heartbeat at "+HeartbeatPath(stateFile)+" (is `birdseye run` running with this STATE_FILE?)")
		return h
	case err != nil:
		h.Lines = append(h.Lines, "unhealthy: "+err.Error())
		return h
	}
	late := now.Sub(hb.NextPoll)
	if late > Grace {
		h.Lines = append(h.Lines, fmt.Sprintf("unhealthy: the poll loop is stuck: its last round was at %s and the next was due %s ago", hb.At.UTC().Format(time.RFC3339), late.Round(time.Second)))
		return h
	}
	probe, err := os.CreateTemp(filepath.Dir(stateFile), ".healthcheck-*")
	if err != nil {
		h.Lines = append(h.Lines, "unhealthy: the state directory is not writable: "+err.Error())
		return h
	}
	probe.Close()
	os.Remove(probe.Name())
	h.Healthy = true
	h.Lines = append(h.Lines, fmt.Sprintf("healthy: last poll round %s ago", now.Sub(hb.At).Round(time.Second)))
	if !hb.LastSuccess.IsZero() {
		h.Lines = append(h.Lines, fmt.Sprintf("last successful poll %s ago", now.Sub(hb.LastSuccess).Round(time.Second)))
	}
	if !hb.OutageSince.IsZero() {
		what := "NetBird API unreachable"
		if hb.Source == SourceStore {
			what = "NetBird's activity store (EVENTS_DB) unreadable"
		}
		h.Lines = append(h.Lines, fmt.Sprintf("%s for %s (not a birdseye fault): %s", what, now.Sub(hb.OutageSince).Round(time.Second), hb.LastError))
	}
	return h
}
