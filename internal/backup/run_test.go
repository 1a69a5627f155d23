package backup

import (
	"bytes"
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/archive"
	"github.com/styliteag/birdseye/internal/netbird/fake"
	"github.com/styliteag/birdseye/internal/netbird/nbtest"
	"github.com/styliteag/birdseye/internal/retention"
	"github.com/styliteag/birdseye/internal/sink/email"
	"github.com/styliteag/birdseye/internal/sink/email/smtptest"
	"github.com/styliteag/birdseye/internal/target"
)

func mailer(srv *smtptest.Server) *email.Sink {
	return email.New(email.Config{Transport: email.Transport{Host: srv.Host, Port: srv.Port, TLSMode: srv.Mode, RootCAs: srv.CAPool},
		From: "backup@example.com"}, time.UTC)
}

func TestEncodedSizeIsBase64WithLineBreaks(t *testing.T) {
	require.Equal(t, int64(0), EncodedSize(0))
	require.Equal(t, int64(4+2), EncodedSize(1))
	require.Equal(t, int64(76+2), EncodedSize(57))
	require.Equal(t, int64(80+4), EncodedSize(58))
	require.Equal(t, int64(1398104+2*18397), EncodedSize(1<<20)) // 1 MiB becomes ~1.37 MiB
}

func TestRunMailsBothArchivesIntact(t *testing.T) {
	src := t.TempDir()
	mkfile(t, filepath.Join(src, "netbird", "management.json"), `{"DataStoreEncryptionKey":"k"}`)
	_, api := nbtest.Start(t, fake.AdminToken)
	srv := smtptest.Start(t, "starttls", "", "")
	var log bytes.Buffer
	now := time.Date(2026, 11, 23, 3, 0, 0, 0, time.UTC)
	steps, code := Run(t.Context(), RunConfig{
		Options:  Options{Paths: []string{filepath.Join(src, "netbird")}, Label: "prod", Password: pass},
		Export:   api,
		NBURL:    "https://nb.example.com:443",
		Version:  "test",
		MaxBytes: 20 << 20,
		Mailer:   mailer(srv),
		VolumeTo: []string{"ops@example.com"},
		ExportTo: []string{"audit@example.com"},
	}, now, &log)
	require.Equal(t, 0, code, log.String())
	require.Len(t, steps, 2)
	msgs := srv.Messages()
	require.Len(t, msgs, 2)
	require.Equal(t, "[NetBird backup prod] nb.example.com 2026-11-23", msgs[0].Subject)
	require.Equal(t, []string{"ops@example.com"}, msgs[0].To)
	require.Equal(t, "[NetBird API export prod] nb.example.com 2026-11-23", msgs[1].Subject)
	require.Equal(t, []string{"audit@example.com"}, msgs[1].To)
	require.Contains(t, msgs[0].Body, "  archive: netbird-prod-20261123T030000Z.zip\n")
	require.Contains(t, msgs[0].Body, "7z x netbird-prod-20261123T030000Z.zip")
	for i, name := range []string{"netbird-prod-20261123T030000Z.zip", "netbirdexport-prod-20261123T030000Z.zip"} {
		att, ok := msgs[i].Attachments[name]
		require.True(t, ok, "attachment %s in %v", name, msgs[i].Attachments)
		f := filepath.Join(t.TempDir(), name)
		require.NoError(t, os.WriteFile(f, att, 0o600))
		_, err := archive.Verify(f, pass)
		require.NoError(t, err, "the attachment decrypts and matches its checksums")
	}
}

func TestAnArchiveTooBigToMailGetsAFailedMailAndStaysInBackupDir(t *testing.T) {
	src := t.TempDir()
	big := make([]byte, 200_000)
	rand.Read(big) // incompressible
	mkfile(t, filepath.Join(src, "netbird", "blob"), string(big))
	dir := t.TempDir()
	srv := smtptest.Start(t, "none", "", "")
	var log bytes.Buffer
	steps, code := Run(t.Context(), RunConfig{
		Options:  Options{Paths: []string{filepath.Join(src, "netbird")}, Password: pass},
		NBURL:    "nb.example.com",
		Dir:      dir,
		Keep:     retention.Policy{Last: 8},
		MaxBytes: 100_000,
		Mailer:   mailer(srv),
		VolumeTo: []string{"ops@example.com"},
	}, time.Now(), &log)
	require.Equal(t, 2, code, log.String())
	require.True(t, steps[0].Oversize)
	msgs := srv.Messages()
	require.Len(t, msgs, 1)
	require.True(t, strings.HasSuffix(msgs[0].Subject, " — FAILED"), msgs[0].Subject)
	require.Contains(t, msgs[0].Body, "encoded in the mail), more than BACKUP_MAX_ATTACHMENT_MB=0.095")
	require.Contains(t, msgs[0].Body, "The archive is kept in "+dir)
	require.Empty(t, msgs[0].Attachments)
	kept, _ := filepath.Glob(filepath.Join(dir, "netbird-backup-*.zip"))
	require.Len(t, kept, 1)
}

func TestAFailingStepMailsAFailureAndTheOtherStillRuns(t *testing.T) {
	_, api := nbtest.Start(t, fake.AdminToken)
	srv := smtptest.Start(t, "none", "", "")
	var log bytes.Buffer
	_, code := Run(t.Context(), RunConfig{
		Options:  Options{Paths: []string{"/no/such/volume"}, Password: pass},
		Export:   api,
		NBURL:    "nb.example.com",
		MaxBytes: 20 << 20,
		Mailer:   mailer(srv),
		VolumeTo: []string{"ops@example.com"},
		ExportTo: []string{"ops@example.com"},
	}, time.Now(), &log)
	require.Equal(t, 1, code)
	msgs := srv.Messages()
	require.Len(t, msgs, 2)
	require.Contains(t, msgs[0].Subject, "[NetBird backup] nb.example.com")
	require.Contains(t, msgs[0].Subject, "— FAILED")
	require.Contains(t, msgs[0].Body, `NetBird volume backup failed.`)
	require.Contains(t, msgs[0].Body, `BACKUP_PATHS entry "/no/such/volume" matches nothing`)
	require.Len(t, msgs[1].Attachments, 1, "the export went out anyway")
}

func TestBackupDirKeepsTheNewest(t *testing.T) {
	dir := t.TempDir()
	for _, ts := range []string{"20261101T030000Z", "20261108T030000Z", "20261115T030000Z"} {
		mkfile(t, filepath.Join(dir, "netbird-prod-"+ts+".zip"), "x")
		mkfile(t, filepath.Join(dir, "netbirdexport-prod-"+ts+".zip"), "x")
	}
	require.NoError(t, prune(dir, "netbird-prod-20261115T030000Z.zip", retention.Policy{Last: 2}))
	left, _ := filepath.Glob(filepath.Join(dir, "*.zip"))
	var names []string
	for _, l := range left {
		names = append(names, filepath.Base(l))
	}
	require.ElementsMatch(t, []string{"netbird-prod-20261108T030000Z.zip", "netbird-prod-20261115T030000Z.zip",
		"netbirdexport-prod-20261101T030000Z.zip", "netbirdexport-prod-20261108T030000Z.zip", "netbirdexport-prod-20261115T030000Z.zip"}, names)
}

// With age the mails carry .tar.gz.age attachments and age's restore
// steps; the archives open with the recipient's key only.
func TestRunWithAgeMailsArchivesOnlyTheRecipientOpens(t *testing.T) {
	src := t.TempDir()
	mkfile(t, filepath.Join(src, "netbird", "management.json"), `{"DataStoreEncryptionKey":"k"}`)
	_, api := nbtest.Start(t, fake.AdminToken)
	srv := smtptest.Start(t, "starttls", "", "")
	id, err := age.GenerateX25519Identity()
	require.NoError(t, err)
	var log bytes.Buffer
	now := time.Date(2026, 11, 23, 3, 0, 0, 0, time.UTC)
	_, code := Run(t.Context(), RunConfig{
		Options:  Options{Paths: []string{filepath.Join(src, "netbird")}, Label: "prod", Age: true, Recipients: []age.Recipient{id.Recipient()}},
		Export:   api,
		NBURL:    "https://nb.example.com",
		Version:  "test",
		MaxBytes: 20 << 20,
		Mailer:   mailer(srv),
		VolumeTo: []string{"ops@example.com"},
		ExportTo: []string{"ops@example.com"},
	}, now, &log)
	require.Equal(t, 0, code, log.String())
	msgs := srv.Messages()
	require.Len(t, msgs, 2)
	require.Contains(t, msgs[0].Body, "age -d -i key.txt netbird-prod-20261123T030000Z.tar.gz.age | tar xz")
	require.NotContains(t, msgs[0].Body, "7z")
	for i, name := range []string{"netbird-prod-20261123T030000Z.tar.gz.age", "netbirdexport-prod-20261123T030000Z.tar.gz.age"} {
		att, ok := msgs[i].Attachments[name]
		require.True(t, ok, "attachment %s in %v", name, msgs[i].Attachments)
		f := filepath.Join(t.TempDir(), name)
		require.NoError(t, os.WriteFile(f, att, 0o600))
		_, err := archive.EachAge(f, []age.Identity{id}, nil)
		require.NoError(t, err)
	}
}

func TestBackupDirPrunesBothFormatsTogether(t *testing.T) {
	dir := t.TempDir()
	mkfile(t, filepath.Join(dir, "netbird-prod-20261101T030000Z.zip"), "x")
	mkfile(t, filepath.Join(dir, "netbird-prod-20261108T030000Z.zip"), "x")
	mkfile(t, filepath.Join(dir, "netbird-prod-20261115T030000Z.tar.gz.age"), "x")
	mkfile(t, filepath.Join(dir, "netbird-prod-notes.txt"), "x")
	require.NoError(t, prune(dir, "netbird-prod-20261115T030000Z.tar.gz.age", retention.Policy{Last: 2}))
	left, _ := filepath.Glob(filepath.Join(dir, "*"))
	var names []string
	for _, l := range left {
		names = append(names, filepath.Base(l))
	}
	require.ElementsMatch(t, []string{"netbird-prod-20261108T030000Z.zip", "netbird-prod-20261115T030000Z.tar.gz.age", "netbird-prod-notes.txt"}, names)
}

func TestTheScheduledBackupRunsTheRestoreCheckAndMailsItsVerdict(t *testing.T) {
	src := filepath.Join(t.TempDir(), "netbird")
	require.NoError(t, os.MkdirAll(src, 0o755))
	storeDB(t, src, map[string]int{"accounts": 1, "peers": 3})
	mkfile(t, filepath.Join(src, "management.json"), `{"DataStoreEncryptionKey":"k"}`)
	srv := smtptest.Start(t, "starttls", "", "")
	var log bytes.Buffer
	steps, code := Run(t.Context(), RunConfig{
		Options:  Options{Paths: []string{src}, Label: "prod", Password: pass},
		Verify:   true,
		NBURL:    "https://nb.example.com",
		Version:  "test",
		MaxBytes: 20 << 20,
		Mailer:   mailer(srv),
		VolumeTo: []string{"ops@example.com"},
	}, time.Now(), &log)
	require.Equal(t, 0, code, log.String())
	require.True(t, steps[0].Verified)
	msgs := srv.Messages()
	require.Len(t, msgs, 1)
	require.Contains(t, msgs[0].Body, "Restore check (the archive opened as a restore would):\n")
	require.Contains(t, msgs[0].Body, "  store:    netbird/store.db: 1 accounts, 3 peers")
	require.Contains(t, msgs[0].Body, "  verdict:  restorable\n")
	require.Regexp(t, `restore check passed: netbird-prod-\d{8}T\d{6}Z\.zip restores\n$`, log.String(), "the last line: the job's summary for Checkmk and pings")

	// An archive for recipients cannot be opened on this host: said, not failed.
	id, _ := age.GenerateX25519Identity()
	log.Reset()
	steps, code = Run(t.Context(), RunConfig{
		Options:  Options{Paths: []string{src}, Label: "prod", Age: true, Recipients: []age.Recipient{id.Recipient()}},
		Verify:   true,
		Version:  "test",
		MaxBytes: 20 << 20,
		Mailer:   mailer(srv),
		VolumeTo: []string{"ops@example.com"},
	}, time.Now(), &log)
	require.Equal(t, 0, code, log.String())
	require.False(t, steps[0].Verified)
	require.Contains(t, log.String(), "not opened: it is encrypted to BACKUP_AGE_RECIPIENTS")
}

// Every archive reaches each target, also one too big to mail; a target
// that fails is named and fails the run, the others still get it.
func TestArchivesReachEveryTargetAndAFailingOneIsNamed(t *testing.T) {
	src := filepath.Join(t.TempDir(), "netbird")
	mkfile(t, filepath.Join(src, "management.json"), `{"DataStoreEncryptionKey":"k"}`)
	good := filepath.Join(t.TempDir(), "disk")
	blocked := filepath.Join(t.TempDir(), "a-file")
	mkfile(t, blocked, "not a directory")
	srv := smtptest.Start(t, "starttls", "", "")
	var log bytes.Buffer
	steps, code := Run(t.Context(), RunConfig{
		Options:  Options{Paths: []string{src}, Label: "prod", Password: pass},
		Keep:     retention.Policy{Last: 8},
		Targets:  []target.Target{&target.Dir{Path: good}, &target.Dir{Path: blocked}},
		Version:  "test",
		MaxBytes: 1,
		Mailer:   mailer(srv),
		VolumeTo: []string{"ops@example.com"},
	}, time.Now(), &log)
	require.Equal(t, 1, code, "a target that failed fails the run")
	require.Equal(t, []string{"file://" + good}, steps[0].Stored)
	require.ErrorContains(t, steps[0].TargetErr, "file://"+blocked)
	stored, _ := filepath.Glob(filepath.Join(good, "netbird-prod-*.zip"))
	require.Len(t, stored, 1, "the one too big to mail is stored all the same")
	msgs := srv.Messages()
	require.Len(t, msgs, 1)
	require.Contains(t, msgs[0].Subject, "— FAILED")
	require.Contains(t, msgs[0].Body, "It is stored in: file://"+good+".")
}

// BACKUP_ZIP_HIDE_NAMES: the mail says how to get through both layers, and
// the restore check reads through them.
func TestAHiddenNamesBackupIsMailedCheckedAndOpens(t *testing.T) {
	src := filepath.Join(t.TempDir(), "netbird")
	require.NoError(t, os.MkdirAll(src, 0o755))
	storeDB(t, src, map[string]int{"accounts": 1, "peers": 2})
	mkfile(t, filepath.Join(src, "management.json"), `{"DataStoreEncryptionKey":"k"}`)
	srv := smtptest.Start(t, "starttls", "", "")
	var log bytes.Buffer
	now := time.Date(2026, 11, 23, 3, 0, 0, 0, time.UTC)
	steps, code := Run(t.Context(), RunConfig{
		Options:  Options{Paths: []string{src}, Label: "prod", Password: pass, HideNames: true},
		Verify:   true,
		Version:  "test",
		MaxBytes: 20 << 20,
		Mailer:   mailer(srv),
		VolumeTo: []string{"ops@example.com"},
	}, now, &log)
	require.Equal(t, 0, code, log.String())
	require.True(t, steps[0].Verified, log.String())
	msgs := srv.Messages()
	require.Contains(t, msgs[0].Body, "7z x netbird-prod-20261123T030000Z.zip && tar xf netbird-prod-20261123T030000Z.tar")
	require.Contains(t, msgs[0].Body, "store:    netbird/store.db: 1 accounts, 2 peers")
	att := msgs[0].Attachments["netbird-prod-20261123T030000Z.zip"]
	require.NotContains(t, string(att), "management.json")
}

// A kill -9 during a backup leaves its ".partial" in BACKUP_DIR (45 MB
// once). The next run removes birdseye's own partials that nobody has
// written to for ten minutes, and says so; a partial being written (by a
// `backup run` by hand beside the schedule) and other files stay.
func TestARunRemovesThePartialArchivesACrashLeft(t *testing.T) {
	dir := t.TempDir()
	now := time.Date(2026, 11, 23, 3, 0, 0, 0, time.UTC)
	files := map[string]time.Time{
		"netbird-prod-20261122T030000Z.zip.partial":              now.Add(-24 * time.Hour),
		"netbirdexport-prod-20261122T030000Z.tar.gz.age.partial": now.Add(-24 * time.Hour),
		"netbird-prod-20261123T025900Z.zip.partial":              now.Add(-time.Minute), // being written
		"other.partial":                     now.Add(-24 * time.Hour),
		"netbird-prod-20261122T030000Z.zip": now.Add(-24 * time.Hour),
	}
	for name, mt := range files {
		mkfile(t, filepath.Join(dir, name), "x")
		require.NoError(t, os.Chtimes(filepath.Join(dir, name), mt, mt))
	}
	var log bytes.Buffer
	Run(t.Context(), RunConfig{Options: Options{Label: "prod", Password: pass}, Dir: dir, Keep: retention.Policy{Last: 5}}, now, &log)
	for name := range files {
		_, err := os.Stat(filepath.Join(dir, name))
		if strings.HasPrefix(name, "netbird") && strings.HasSuffix(name, ".partial") && name != "netbird-prod-20261123T025900Z.zip.partial" {
			require.True(t, os.IsNotExist(err), name)
		} else {
			require.NoError(t, err, name)
		}
	}
	require.Contains(t, log.String(), "removed 2 partial archives an interrupted run left in "+dir)
}
