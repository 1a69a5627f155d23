package backup

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/archive"
	"github.com/styliteag/birdseye/internal/netbird/fake"
	"github.com/styliteag/birdseye/internal/netbird/nbtest"
	"github.com/styliteag/birdseye/internal/retention"
	"github.com/styliteag/birdseye/internal/sink/email/smtptest"
	"github.com/styliteag/birdseye/internal/target"
)

// A full BACKUP_DIR (a 64 KiB tmpfs, filled) does not stop the backup: the
// archives are built in a staging directory instead, every target and the
// mail get them, and the run fails naming BACKUP_DIR as what did not take
// them. Older archives in BACKUP_DIR are not pruned for a copy not kept.
func TestAFullBackupDirStillFeedsTheTargetsAndTheMail(t *testing.T) {
	dir := fullDisk(t)
	src := filepath.Join(t.TempDir(), "netbird")
	mkfile(t, filepath.Join(src, "management.json"), `{"DataStoreEncryptionKey":"k"}`)
	_, api := nbtest.Start(t, fake.AdminToken)
	disk := filepath.Join(t.TempDir(), "disk")
	srv := smtptest.Start(t, "starttls", "", "")
	var log bytes.Buffer
	steps, code := Run(t.Context(), RunConfig{
		Options:  Options{Paths: []string{src}, Label: "prod", Password: pass},
		Export:   api,
		Dir:      dir,
		Keep:     retention.Policy{Last: 1},
		Targets:  []target.Target{&target.Dir{Path: disk}},
		Version:  "test",
		MaxBytes: 20 << 20,
		Mailer:   mailer(srv),
		VolumeTo: []string{"ops@example.com"},
		ExportTo: []string{"ops@example.com"},
	},
		time.Date(2026, 11, 23, 3, 0, 0, 0, time.UTC), &log)

	require.Equal(t, 1, code, "a copy BACKUP_DIR did not take fails the run\n%s", log.String())
	require.Len(t, steps, 2)
	for _, s := range steps {
		require.NoError(t, s.Err, log.String())
		require.Equal(t, []string{"file://" + disk}, s.Stored, "%s reached the target", s.What)
		require.ErrorContains(t, s.KeptErr, "BACKUP_DIR "+dir)
		require.ErrorContains(t, s.KeptErr, "no space left on device")
		require.Empty(t, s.Kept)
	}
	require.Contains(t, log.String(), "BACKUP_DIR "+dir)
	stored, _ := filepath.Glob(filepath.Join(disk, "*.zip"))
	require.Len(t, stored, 2)
	for _, f := range stored {
		_, err := archive.Verify(f, pass)
		require.NoError(t, err, "the stored archive is whole")
	}
	msgs := srv.Messages()
	require.Len(t, msgs, 2, "both archives mailed")
	for _, m := range msgs {
		require.Len(t, m.Attachments, 1)
		require.Contains(t, m.Body, "NOT kept: BACKUP_DIR "+dir)
	}
	require.FileExists(t, filepath.Join(dir, "netbird-prod-20261122T030000Z.zip"), "nothing pruned for a copy not kept")
	left, _ := filepath.Glob(filepath.Join(os.TempDir(), "birdseye-backup-*"))
	for _, l := range left {
		fi, err := os.Stat(l)
		require.True(t, err != nil || time.Since(fi.ModTime()) > time.Minute, "the staging directory is removed: %s", l)
	}
}

// fullDisk is a directory on a 64 KiB tmpfs, filled to the last byte, with
// one older archive in it; the test is skipped where mounting is not allowed.
func fullDisk(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "backups")
	require.NoError(t, os.MkdirAll(dir, 0o700))
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", dir).Run() })
	mkfile(t, filepath.Join(dir, "netbird-prod-20261122T030000Z.zip"), "an older archive")
	f, err := os.Create(filepath.Join(dir, "filler"))
	require.NoError(t, err)
	defer f.Close()
	chunk := make([]byte, 4096)
	for {
		if _, err := f.Write(chunk); err != nil {
			require.True(t, errors.Is(err, syscall.ENOSPC), err)
			return dir
		}
	}
}
