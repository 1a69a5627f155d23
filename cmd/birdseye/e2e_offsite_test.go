package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/sshremote/sshtest"
)

func offsiteEnv(t *testing.T, s *sshtest.Server, extra ...string) (env []string, remote, src string) {
	src = filepath.Join(t.TempDir(), "netbird")
	require.NoError(t, os.MkdirAll(filepath.Join(src, "data"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(src, "docker-compose.yml"), []byte("services: {}\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(src, "data", "management.json"), []byte("{}"), 0o600))
	remote = filepath.Join(t.TempDir(), "offsite")
	state := t.TempDir()
	env = append([]string{"PATH=" + os.Getenv("PATH"), "STATE_FILE=" + filepath.Join(state, "state.json"),
		"OFFSITE_SSH_HOST=root@127.0.0.1", "OFFSITE_SSH_PORT=" + strconv.Itoa(s.Port), "OFFSITE_SSH_KEY=" + s.ClientKey,
		"OFFSITE_REMOTE_DIR=" + remote, "OFFSITE_PATHS=" + src + "/docker-compose.yml," + src + "/data",
		"OFFSITE_WORK_DIR=" + filepath.Join(t.TempDir(), "work")}, extra...)
	return env, remote, src
}

func TestE2EBackupOffsiteShipsListsAndPrunes(t *testing.T) {
	s := sshtest.Start(t)
	env, remote, _ := offsiteEnv(t, s)
	require.NoError(t, os.MkdirAll(remote, 0o700))
	require.NoError(t, os.WriteFile(filepath.Join(remote, "config-backup-20200101-000000.tar.gz"), []byte("old"), 0o600))
	d := start(t, env, "backup", "offsite", "--keep", "1")
	require.Equal(t, 0, d.waitExit(), d.logs())
	out := strings.Join(d.stdout(), "\n")
	require.Contains(t, out, "verified on the remote (sha256sum and tar there): sha256 matches, archive lists cleanly")
	require.Contains(t, out, "pruned 1 beyond the last 1: config-backup-20200101-000000.tar.gz")
	require.Regexp(t, `ok in \d+s$`, out)
	entries, err := os.ReadDir(remote)
	require.NoError(t, err)
	require.Len(t, entries, 1, "--keep 1 pruned the first archive")
	listing, err := exec.Command("tar", "tzf", filepath.Join(remote, entries[0].Name())).Output()
	require.NoError(t, err)
	require.Equal(t, "docker-compose.yml\ndata/\ndata/management.json\n", string(listing), "names relative to the common parent")

	d = start(t, env, "backup", "offsite", "--list")
	require.Equal(t, 0, d.waitExit(), d.logs())
	out = strings.Join(d.stdout(), "\n")
	require.Contains(t, out, entries[0].Name())
	require.Contains(t, out, "1 archives of config-backup, ")
}

func TestE2EBackupOffsiteBadInputIsNamedAndShipsNothing(t *testing.T) {
	s := sshtest.Start(t)
	env, remote, _ := offsiteEnv(t, s)
	for _, c := range []struct {
		env  []string
		args []string
		want string
	}{
		{nil, []string{"--keep", "0"}, "birdseye: --keep=0 would prune the archive just shipped; expected at least 1"},
		{[]string{"OFFSITE_SSH_STRICT=sometimes"}, nil, `birdseye: config: OFFSITE_SSH_STRICT="sometimes" is not a host key policy; expected yes, accept-new or no`},
		{[]string{"OFFSITE_SSH_KEY=/no/key"}, nil, "birdseye: config: OFFSITE_SSH_KEY=/no/key does not exist inside the container"},
		{[]string{"OFFSITE_REMOTE_DIR="}, nil, "birdseye: config: OFFSITE_REMOTE_DIR is not set; expected the directory on that host"},
		{[]string{"OFFSITE_PATHS=/no/such/netbird"}, nil, "OFFSITE_PATHS: configured but not present inside the container: /no/such/netbird"},
		{[]string{"OFFSITE_SSH_STRICT=yes", "OFFSITE_SSH_KNOWN_HOSTS=" + filepath.Join(t.TempDir(), "empty")}, nil, "host key refused: 127.0.0.1:"},
	} {
		d := start(t, append(append([]string{}, env...), c.env...), append([]string{"backup", "offsite"}, c.args...)...)
		code := d.waitExit()
		require.NotEqual(t, 0, code, c.want)
		require.Contains(t, d.logs()+strings.Join(d.stdout(), "\n"), c.want)
	}
	_, err := os.Stat(remote)
	require.True(t, os.IsNotExist(err), "nothing shipped")
}
