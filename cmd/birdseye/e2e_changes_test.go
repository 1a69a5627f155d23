package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/changes"
	"github.com/styliteag/birdseye/internal/event"
)

const adminsPolicy = "dc1uf0tqmd2qmv54vjvg" // "Admins to Servers": rule "ssh", ports 22 and 2222

// An admin narrows a policy rule's ports: the audit event says "Policy
// updated"; birdseye says which rule and which ports, on stdout and in
// Mattermost, and `birdseye changes` lists it with who did it.
func TestE2EAPolicyUpdateCarriesItsDiffAndChangesListsIt(t *testing.T) {
	f, api := newAPI(t)
	f.AddN(1, "group.add", "g")
	mm, hookURL := newMattermost(t)
	sf := filepath.Join(t.TempDir(), "state.json")
	env := baseEnv(t, api, sf, "MATTERMOST_WEBHOOK_URL="+hookURL, "CHANGE_DIFFS=on")
	d := start(t, env)
	d.waitLog("first boot")
	d.waitFor("the snapshots", func() bool {
		for _, r := range f.Requests() {
			if r.Path == "/api/accounts" {
				return true
			}
		}
		return false
	})

	var ps []map[string]any
	require.NoError(t, json.Unmarshal(f.Collection("policies"), &ps))
	for _, p := range ps {
		if p["id"] == adminsPolicy {
			p["rules"].([]any)[0].(map[string]any)["ports"] = []any{"22"}
		}
	}
	raw, _ := json.Marshal(ps)
	f.SetPolicies(string(raw))
	f.Add(event.Event{ActivityCode: "policy.update", InitiatorName: "alice", InitiatorEmail: "alice@example.com", TargetID: adminsPolicy,
		Meta: event.Meta{{Key: "name", Value: "Admins to Servers"}}})
	d.waitFor("the event", func() bool { return len(d.stdout()) == 1 })
	require.True(t, strings.HasSuffix(d.stdout()[0], `name='Admins to Servers'  changed: rules["ssh"].ports [22, 2222]→[22]`), d.stdout()[0])
	waitPosts(t, d, mm, 1)
	// The path's brackets are escaped (names in it come from the API); they render as brackets.
	require.Equal(t, "**Policy updated**: Admins to Servers  _alice_\n  • rules\\[\"ssh\"\\].ports: `[22, 2222]` → `[22]`", strings.SplitN(mm.Posts()[0].Text, "  ", 2)[1])
	d.signal(syscall.SIGTERM)
	require.Equal(t, 0, d.waitExit())

	c := start(t, env, "changes", "--since", "1h")
	require.Equal(t, 0, c.waitExit(), c.logs())
	out := strings.Join(c.stdout(), "\n")
	require.Contains(t, out, "): 1\nBy: alice 1\n")
	require.Contains(t, out, "  policy.update  by alice  policy 'Admins to Servers'\n    rules[\"ssh\"].ports: [22, 2222] → [22]")

	c = start(t, env, "changes", "-o", "json")
	require.Equal(t, 0, c.waitExit())
	var recs []changes.Record
	require.NoError(t, json.Unmarshal([]byte(strings.Join(c.stdout(), "\n")), &recs))
	require.Len(t, recs, 1)
	require.Equal(t, "policy", recs[0].Kind)

	c = start(t, env, "changes", "--since", "last tuesday")
	require.Equal(t, 2, c.waitExit())
	require.Contains(t, c.logs(), `--since="last tuesday" is neither RFC 3339`)
	require.Empty(t, f.Writes())
}
