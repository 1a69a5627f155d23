package clone

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestStatusShowsWhatIsStagedInstalledAndKept(t *testing.T) {
	plan, sb := stagedStandby(t)
	require.NoError(t, sb.Install(context.Background(), plan.Targets[1], &bytes.Buffer{}))
	acme := filepath.Join(t.TempDir(), "acme.json")
	require.NoError(t, os.WriteFile(acme, []byte(primaryACME), 0o600))

	st := sb.Status(context.Background(), plan.Targets, acme, Stack{})
	require.NotNil(t, st.Staged)
	require.Equal(t, "nb.example.com", st.Staged.Primary)
	require.Equal(t, []string{"nb.example.com", "proxy.example.com"}, st.Certificates)
	require.Len(t, st.Targets, 2)
	hot, cold := st.Targets[0], st.Targets[1]
	require.Empty(t, hot.Databases)
	require.Equal(t, "nothing installed yet: run birdseye clone install hot", hot.Advice)
	require.Len(t, cold.Databases, 1)
	require.Equal(t, "store.db", cold.Databases[0].Name)
	require.Len(t, cold.Snapshots, 1)
	require.Empty(t, cold.Advice)
	require.Equal(t, st.Staged.Created, cold.Installed["staging"], "install.sh recorded the staging it installed")
	require.Equal(t, cold.Snapshots[0], cold.Installed["snapshot"])
	require.NotEmpty(t, cold.Installed["installed"])

	var out bytes.Buffer
	st.Text(&out)
	require.Contains(t, out.String(), "holds:   1 accounts, 2 peers")
	require.Contains(t, out.String(), "certificates in the ingress: nb.example.com, proxy.example.com")
	require.NotContains(t, out.String(), "P-KEY", "keys never show")
	b, err := json.Marshal(st)
	require.NoError(t, err)
	require.NotContains(t, string(b), "P-KEY")
	require.NotContains(t, string(b), `"files"`, "the file list stays out of status")
}

func TestStatusOfAnEmptyStandbySaysWhatToDo(t *testing.T) {
	sb := Standby{Shell: dialStandby(t), Payload: filepath.Join(t.TempDir(), "incoming")}
	st := sb.Status(context.Background(), []Target{cold}, "", Stack{})
	require.Equal(t, ErrNothingStaged.Error(), st.Problem)
	require.Equal(t, "nothing installed yet: run birdseye clone stage, then birdseye clone install cold", st.Targets[0].Advice)
}

// The verdict is about the failover target: what it holds, how old, and
// the next step; a target with nothing installed, or nothing staged, is
// NOT READY with the reason.
func TestTheStatusVerdictSaysWhetherTheFailoverTargetIsReady(t *testing.T) {
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	installed := now.Add(-5 * time.Hour)
	// The databases were changed by a drill since; install.sh's record says
	// when and from which staging they were installed.
	st := &Status{Staged: &Manifest{Created: "2026-11-29T11:30:00Z"}, Targets: []TargetStatus{
		{Name: "hot", Databases: []FileState{{Name: "store.db", Modified: now}}},
		{Name: "cold", Databases: []FileState{{Name: "events.db", Modified: now.Add(-time.Minute)}, {Name: "store.db", Modified: now}},
			Installed: map[string]string{"installed": "2026-11-29T07:00:00Z", "staging": "2026-11-29T06:59:00Z"}},
	}}
	st.Judge(Target{Name: "cold"}, now)
	require.True(t, st.Ready)
	require.Equal(t, "ready: cold holds the clone installed 2026-11-29 07:00 (5h ago) from the staging of 2026-11-29T06:59:00Z; prove it with: birdseye clone drill cold", st.Verdict)
	var out bytes.Buffer
	st.Text(&out)
	require.True(t, strings.HasSuffix(out.String(), "\n"+st.Verdict+"\n"), "the verdict is the last line")

	// After a rollback, the record says so.
	st.Targets[1].Installed["rolled_back"], st.Targets[1].Installed["from_snapshot"] = "2026-11-29T11:00:00Z", "20261129-070000"
	st.Judge(Target{Name: "cold"}, now)
	require.Contains(t, st.Verdict, "from the staging of 2026-11-29T06:59:00Z, put back by a rollback at 2026-11-29T11:00:00Z from snapshot 20261129-070000")

	// A target failover.sh made the live server is no standby.
	st.Targets[1].Live = "2026-11-29T11:50:00Z"
	st.Judge(Target{Name: "cold"}, now)
	require.False(t, st.Ready)
	require.Equal(t, "LIVE: cold is the live server since 2026-11-29T11:50:00Z (failover.sh ran there), not a standby; install, drill, run and rollback leave it alone unless given --after-failover", st.Verdict)
	st.Targets[1].Live = ""

	st.Targets[1].Databases, st.Targets[1].Advice = nil, "nothing installed yet: run birdseye clone install cold"
	st.Judge(Target{Name: "cold"}, now)
	require.False(t, st.Ready)
	require.Equal(t, "NOT READY: the failover target cold has no databases installed; nothing installed yet: run birdseye clone install cold", st.Verdict)

	st = &Status{Problem: ErrNothingStaged.Error(), Targets: []TargetStatus{{Name: "cold", Databases: []FileState{{Name: "store.db", Modified: installed}}}}}
	st.Judge(Target{Name: "cold"}, now)
	require.False(t, st.Ready)
	require.Equal(t, "NOT READY: nothing is staged on the standby (nothing staged on the standby — run 'birdseye clone stage' first)", st.Verdict)
}
