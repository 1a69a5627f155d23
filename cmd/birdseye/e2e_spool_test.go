package main

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/netbird/fake"
)

// A Checkmk spool mounted from the host as the Python image left it (root's,
// 0755): the daemon says once at start that its checks cannot be written,
// and how to fix it; doctor fails it with the same fix; once the spool's
// group may write, the checks are written.
func TestE2EASpoolTheImagesUserMayNotWriteIsSaidOnceWithTheFix(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to run birdseye as another user")
	}
	_, srv := newAPI(t)
	root := t.TempDir()
	for _, p := range []string{root, filepath.Dir(root), filepath.Dir(binPath)} {
		require.NoError(t, os.Chmod(p, 0o755))
	}
	spool := filepath.Join(root, "spool")
	require.NoError(t, os.Mkdir(spool, 0o755))
	state := filepath.Join(root, "state")
	require.NoError(t, os.Mkdir(state, 0o700))
	require.NoError(t, os.Chown(state, 65534, 65534))
	env := append(baseEnv(t, srv, filepath.Join(state, "state.json")), "CHECKMK_SPOOL_DIR="+spool,
		"NB_ADMIN_API_KEY="+fake.AdminToken, "CRON_CLEANUP_EPHEMERAL=* * * * *", "CRON_PRUNE_PEERS=0 3 * * *")

	d := startAs(t, nobody, env, "run")
	d.waitLog("CHECKMK_SPOOL_DIR: " + spool + " is not writable by birdseye (UID 65534)")
	d.signal(syscall.SIGTERM)
	require.Equal(t, 0, d.waitExit(), d.logs())
	require.Equal(t, 1, strings.Count(d.logs(), "CHECKMK_SPOOL_DIR: "), "said once, not per job")
	require.Contains(t, d.logs(), "chgrp 65534 "+spool+" && chmod g+w "+spool)

	doc := startAs(t, nobody, env, "doctor")
	require.Equal(t, 2, doc.waitExit())
	out := strings.Join(doc.stdout(), "\n")
	require.Contains(t, out, "FAIL  CHECKMK_SPOOL_DIR      "+spool+" is not writable by birdseye (UID 65534)")
	require.Contains(t, out, "chmod g+w "+spool)

	// The fix it names.
	require.NoError(t, os.Chown(spool, 0, 65534))
	require.NoError(t, os.Chmod(spool, 0o775))
	doc = startAs(t, nobody, env, "doctor")
	doc.waitExit()
	require.Contains(t, strings.Join(doc.stdout(), "\n"), "ok    CHECKMK_SPOOL_DIR      "+spool+": writable")
}
