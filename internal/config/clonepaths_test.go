package config

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestClonePathsBareLocalGoesToItsBaseNameSynced(t *testing.T) {
	ps, err := Clone{TargetPaths: "/etc/netbird/turnserver.conf, /etc/x/dex.yaml:conf/dex.yaml:seed"}.TargetPathList()
	require.NoError(t, err)
	require.Equal(t, []ClonePath{
		{Local: "/etc/netbird/turnserver.conf", Dest: "turnserver.conf", Mode: "sync"},
		{Local: "/etc/x/dex.yaml", Dest: "conf/dex.yaml", Mode: "seed"},
	}, ps)
}

func TestClonePathsWildcardExpandsSortedIntoTheDestinationDirectory(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{"b.yml", "a.yml", "c.txt"} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, n), nil, 0o600))
	}
	ps, err := Clone{SharedPaths: filepath.Join(dir, "*.yml") + ":/opt/shared/conf"}.SharedPathList()
	require.NoError(t, err)
	require.Equal(t, []ClonePath{
		{Local: filepath.Join(dir, "a.yml"), Dest: "/opt/shared/conf/a.yml", Mode: "sync"},
		{Local: filepath.Join(dir, "b.yml"), Dest: "/opt/shared/conf/b.yml", Mode: "sync"},
	}, ps)
}

func TestClonePathsBadItemsNameTheVariableAndSayWhatIsWrong(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		value  string
		shared bool
		want   string
	}{
		{"a:b:sync:x", false, "expected local:dest[:sync|seed], got 4 parts"},
		{"a:b:copy", false, "the mode must be sync or seed, got 'copy'"},
		{":b", false, "the local path is empty"},
		{dir + "/*.conf", false, "a wildcard needs a destination directory"},
		{dir + "/*.conf:conf", false, "matched no files"},
		{"a:/abs", false, "relative to the target's root"},
		{"a:../../etc", false, "must stay inside the target's root"},
		{"a:.", false, "must stay inside the target's root"},
		{"a:rel", true, "a shared destination must be absolute"},
		{"a:/", true, "cannot be /"},
	}
	for _, c := range cases {
		var err error
		variable := "CLONE_TARGET_PATHS"
		if c.shared {
			variable = "CLONE_SHARED_PATHS"
			_, err = Clone{SharedPaths: "ok:/ok," + c.value}.SharedPathList()
		} else {
			_, err = Clone{TargetPaths: "ok:ok/x," + c.value}.TargetPathList()
		}
		var ce *Error
		require.ErrorAs(t, err, &ce, c.value)
		require.ErrorContains(t, err, "config: "+variable+" '"+c.value+"': ", c.value)
		require.ErrorContains(t, err, c.want, c.value)
	}
}

func TestMinRowsDefaultParsesToAccountsAndPeers(t *testing.T) {
	var c Clone
	require.NoError(t, process(&c))
	m, err := c.MinRowsMap()
	require.NoError(t, err)
	require.Equal(t, map[string]int{"accounts": 1, "peers": 1}, m)
	m, err = Clone{MinRows: " , "}.MinRowsMap()
	require.NoError(t, err)
	require.Empty(t, m, "empty: no guard")
}

func TestMinRowsBadItemsNameTheVariableAndTheForm(t *testing.T) {
	for _, bad := range []string{"accounts", "accounts:x", "peers:-1", ":3", "a b:1", "accounts:1,peers"} {
		_, err := Clone{MinRows: bad}.MinRowsMap()
		var ce *Error
		require.ErrorAs(t, err, &ce, bad)
		require.ErrorContains(t, err, "config: CLONE_MIN_ROWS expected table:count (e.g. accounts:1,peers:1), got ", bad)
	}
}

func TestTheFailoverStackFallsBackToTheFirstColdOneAndChecksTheConfiguredOne(t *testing.T) {
	hot := []CloneStack{{Name: "a", Autostart: true}, {Name: "b", Autostart: true}}
	f, err := Clone{}.Failover(hot)
	require.NoError(t, err)
	require.Equal(t, "a", f.Name, "all hot: the first")
	f, err = Clone{}.Failover(append(hot, CloneStack{Name: "c"}))
	require.NoError(t, err)
	require.Equal(t, "c", f.Name, "the first cold one")
	f, err = Clone{FailoverTarget: "b"}.Failover(hot)
	require.NoError(t, err)
	require.Equal(t, "b", f.Name)
	_, err = Clone{FailoverTarget: "c"}.Failover(hot)
	require.EqualError(t, err, "config: CLONE_FAILOVER_TARGET='c' is not in CLONE_TARGETS (a, b)")
}
