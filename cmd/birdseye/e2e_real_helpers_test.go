package main

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/netbird/realtest"
)

// Helpers for the end-to-end tests against a real NetBird server
// (internal/netbird/realtest): they skip where the server is not built.

type jsonObj = map[string]any

// startReal starts a real server, or skips (fails in CI) without one.
func startReal(t *testing.T) *realtest.Server {
	t.Helper()
	return realtest.Start(t)
}

// realList reads a list endpoint with the owner's token.
func realList(t *testing.T, s *realtest.Server, path string) []jsonObj {
	t.Helper()
	var out []jsonObj
	s.MustDo(t, s.OwnerToken, "GET", path, nil, &out)
	return out
}

// realByName indexes a list by a key (name unless given).
func realByName(t *testing.T, s *realtest.Server, path string, key ...string) map[string]jsonObj {
	t.Helper()
	k := "name"
	if len(key) > 0 {
		k = key[0]
	}
	m := map[string]jsonObj{}
	for _, o := range realList(t, s, path) {
		m[o[k].(string)] = o
	}
	return m
}

// realCreate posts a body with the owner's token and returns the new id.
func realCreate(t *testing.T, s *realtest.Server, path string, body any) string {
	t.Helper()
	var out struct {
		ID string `json:"id"`
	}
	s.MustDo(t, s.OwnerToken, "POST", path, body, &out)
	require.NotEmpty(t, out.ID, "POST %s gave no id", path)
	return out.ID
}

// auditCount is how many audit events the server has.
func auditCount(t *testing.T, s *realtest.Server) int {
	t.Helper()
	return len(realList(t, s, "/api/events/audit"))
}

// waitAudited waits until the audit log lists an event of code whose
// meta name is name: NetBird stores events asynchronously
// (api-facts.md), so a list read right after a change may lack it.
func waitAudited(t *testing.T, s *realtest.Server, code, name string) {
	t.Helper()
	deadline := time.Now().Add(hangGuard) // a guard against a hang, not a measure
	for {
		for _, e := range realList(t, s, "/api/events/audit") {
			meta, _ := e["meta"].(map[string]any)
			if e["activity_code"] == code && meta["name"] == name {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the audit log never listed %s %q", code, name)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// settledAuditCount is the number of audit events once the server has
// stored the events of everything done before: it stores them
// asynchronously, so a count read right after a command may lack some and
// a later one would seem to show writes. A marker (a token of the owner's,
// which nothing mirrors or reconciles) is made and its event awaited; the
// count includes it.
func settledAuditCount(t *testing.T, s *realtest.Server) int {
	t.Helper()
	markers++
	name := fmt.Sprintf("settle-%d", markers)
	s.Token(t, s.OwnerID, name)
	waitAudited(t, s, "personal.access.token.create", name)
	return auditCount(t, s)
}

var markers int

// realAccount reads the one account.
func realAccount(t *testing.T, s *realtest.Server) jsonObj {
	t.Helper()
	all := realList(t, s, "/api/accounts")
	require.Len(t, all, 1)
	return all[0]
}

// canonical is a value as JSON with sorted keys, to compare by value.
func canonical(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// editStore changes a real server's store.db as only NetBird itself could
// (a peer's last_seen, a peer enrolled by a user's login): the server is
// stopped, the statement run, the server started again.
func editStore(t *testing.T, s *realtest.Server, stmt string, args ...any) {
	t.Helper()
	s.Stop()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(s.DataDir, "store.db"))
	require.NoError(t, err)
	res, err := db.Exec(stmt, args...)
	require.NoError(t, err)
	n, _ := res.RowsAffected()
	require.NotZero(t, n, "the statement changed nothing: %s", stmt)
	require.NoError(t, db.Close())
	s.Restart(t)
}
