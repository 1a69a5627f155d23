package target

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/retention"
	"github.com/styliteag/birdseye/internal/retry"
	"github.com/styliteag/birdseye/internal/sshremote"
	"github.com/styliteag/birdseye/internal/sshremote/sshtest"
	"github.com/styliteag/birdseye/internal/target/s3test"
)

// Every target passes the same suite (restic's way): put verifies and
// lands atomically, list, prune per kind leaving other files alone,
// delete, check. dir is where the target's files can be looked at.
func conformance(t *testing.T, tg Target, dir string) {
	t.Helper()
	ctx := t.Context()
	msg, err := tg.Check(ctx)
	require.NoError(t, err)
	require.Contains(t, msg, "writable")

	local := filepath.Join(t.TempDir(), "a")
	body := make([]byte, 3<<20) // several SFTP packets
	rand.Read(body)
	require.NoError(t, os.WriteFile(local, body, 0o600))
	names := []string{"netbird-prod-20261101T030000Z.zip", "netbird-prod-20261108T030000Z.tar.gz.age", "netbird-prod-20261115T030000Z.zip",
		"netbirdexport-prod-20261115T030000Z.zip"}
	for _, n := range names {
		require.NoError(t, tg.Put(ctx, n, local), n)
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "README.txt"), []byte("not ours"), 0o600))
	got, err := tg.List(ctx)
	require.NoError(t, err)
	require.Equal(t, append([]string{"README.txt"}, names...), got, "no partial file is left")
	stored, err := os.ReadFile(filepath.Join(dir, names[0]))
	require.NoError(t, err)
	require.Equal(t, body, stored)
	fi, _ := os.Stat(filepath.Join(dir, names[0]))
	require.Equal(t, os.FileMode(0o600), fi.Mode().Perm())

	latest, err := Latest(ctx, tg)
	require.NoError(t, err)
	require.Equal(t, "netbird-prod-20261115T030000Z.zip", latest)
	var copied bytes.Buffer
	require.NoError(t, tg.Get(ctx, latest, &copied))
	require.Equal(t, body, copied.Bytes())
	deleted, err := Prune(ctx, tg, []string{"netbird-prod-", "netbirdexport-prod-"}, retention.Policy{Last: 2})
	require.NoError(t, err)
	require.Equal(t, []string{"netbird-prod-20261101T030000Z.zip"}, deleted, "both formats count; the oldest goes")
	got, _ = tg.List(ctx)
	require.Equal(t, []string{"README.txt", names[1], names[2], names[3]}, got)
	require.NoError(t, tg.Delete(ctx, names[3]))
	got, _ = tg.List(ctx)
	require.NotContains(t, got, names[3])
}

func TestADirectoryTarget(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "disk")
	tg, err := New(Spec{Scheme: "file", Path: dir}, Settings{})
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(dir, 0o700))
	conformance(t, tg, dir)
}

func TestAnSFTPTargetOnARealOpenSSHServer(t *testing.T) {
	s := sshtest.Start(t)
	dir := filepath.Join(t.TempDir(), "backups")
	tg, err := New(Spec{Scheme: "sftp", User: "root", Host: "127.0.0.1", Port: s.Port, Path: dir}, Settings{SSH: SSH{KeyFile: s.ClientKey, KnownHosts: filepath.Join(t.TempDir(), "known"), Strict: sshremote.StrictAcceptNew}})
	require.NoError(t, err)
	require.Equal(t, "sftp://root@127.0.0.1:"+itoa(s.Port)+dir, tg.String())
	conformance(t, tg, dir)

	s.NewHostKey(t)
	_, err = tg.Check(t.Context())
	require.ErrorIs(t, err, sshremote.ErrHostKey)
}

// A disk that fills up fails the put and leaves no partial file.
func TestAFullTargetLeavesNothingBehind(t *testing.T) {
	dir := t.TempDir()
	if res, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here: %v %s", err, res)
	}
	t.Cleanup(func() { exec.Command("umount", dir).Run() })
	local := filepath.Join(t.TempDir(), "big")
	body := make([]byte, 1<<20)
	rand.Read(body)
	require.NoError(t, os.WriteFile(local, body, 0o600))
	tg := &Dir{Path: dir}
	require.Error(t, tg.Put(t.Context(), "netbird-x-20261129T030000Z.zip", local))
	entries, _ := os.ReadDir(dir)
	require.Empty(t, entries)
}

func itoa(n int) string { return portText(n) }

func TestMain(m *testing.M) {
	code := m.Run()
	s3test.Remove()
	os.Exit(code)
}

// A real S3-compatible server (versitygw, posix backend): an archive larger
// than one part goes up in parts, reads back as written, and the suite's
// rules hold; a missing bucket and wrong credentials are said clearly.
func TestAnS3TargetOnARealS3Server(t *testing.T) {
	srv := s3test.Start(t, "netbird-backups")
	set := Settings{S3: S3Config{Endpoint: srv.Endpoint, Region: "us-east-1", PathStyle: true, AccessKey: srv.AccessKey, SecretKey: srv.SecretKey, PartSize: 5 << 20}}
	tg, err := New(Spec{Scheme: "s3", Host: "netbird-backups", Path: "prod"}, set)
	require.NoError(t, err)
	require.Equal(t, "s3://netbird-backups/prod", tg.String())
	conformanceS3(t, tg, filepath.Join(srv.Root, "netbird-backups", "prod"))

	big := filepath.Join(t.TempDir(), "big")
	body := make([]byte, 12<<20) // three parts of 5 MiB
	rand.Read(body)
	require.NoError(t, os.WriteFile(big, body, 0o600))
	require.NoError(t, tg.Put(t.Context(), "netbird-prod-20261129T030000Z.tar.gz.age", big))
	stored, err := os.ReadFile(filepath.Join(srv.Root, "netbird-backups", "prod", "netbird-prod-20261129T030000Z.tar.gz.age"))
	require.NoError(t, err)
	require.Equal(t, body, stored, "the multipart upload is whole")

	missing, err := New(Spec{Scheme: "s3", Host: "no-such-bucket", Path: "x"}, set)
	require.NoError(t, err)
	_, err = missing.Check(t.Context())
	require.ErrorContains(t, err, "the bucket no-such-bucket does not exist")
	set.S3.SecretKey = "wrong"
	wrong, err := New(Spec{Scheme: "s3", Host: "netbird-backups", Path: "prod"}, set)
	require.NoError(t, err)
	_, err = wrong.Check(t.Context())
	require.Error(t, err)
}

// conformanceS3 is the suite without the file modes (objects have none).
func conformanceS3(t *testing.T, tg Target, dir string) {
	t.Helper()
	ctx := t.Context()
	msg, err := tg.Check(ctx)
	require.NoError(t, err)
	require.Contains(t, msg, "writable")
	local := filepath.Join(t.TempDir(), "a")
	body := make([]byte, 1<<20)
	rand.Read(body)
	require.NoError(t, os.WriteFile(local, body, 0o600))
	names := []string{"netbird-prod-20261101T030000Z.zip", "netbird-prod-20261108T030000Z.tar.gz.age", "netbird-prod-20261115T030000Z.zip"}
	for _, n := range names {
		require.NoError(t, tg.Put(ctx, n, local))
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, "README.txt"), []byte("not ours"), 0o600))
	got, err := tg.List(ctx)
	require.NoError(t, err)
	require.Equal(t, append([]string{"README.txt"}, names...), got)
	var copied bytes.Buffer
	require.NoError(t, tg.Get(ctx, names[2], &copied))
	require.Equal(t, body, copied.Bytes())
	deleted, err := Prune(ctx, tg, []string{"netbird-prod-"}, retention.Policy{Last: 2})
	require.NoError(t, err)
	require.Equal(t, []string{names[0]}, deleted)
	got, _ = tg.List(ctx)
	require.Equal(t, []string{"README.txt", names[1], names[2]}, got)
}

// A put killed midway leaves its hidden ".partial". The next put to the
// target removes birdseye's partials unwritten for an hour (a remote's
// clock may be off by minutes) and leaves a fresh one, which may be
// another run's upload in flight.
func TestAPartialACrashLeftIsRemovedByTheNextPut(t *testing.T) {
	s := sshtest.Start(t)
	sftpDir := filepath.Join(t.TempDir(), "backups")
	sftpTarget, err := New(Spec{Scheme: "sftp", User: "root", Host: "127.0.0.1", Port: s.Port, Path: sftpDir}, Settings{SSH: SSH{KeyFile: s.ClientKey, KnownHosts: filepath.Join(t.TempDir(), "known"), Strict: sshremote.StrictAcceptNew}})
	require.NoError(t, err)
	fileDir := filepath.Join(t.TempDir(), "disk")
	for _, c := range []struct {
		tg  Target
		dir string
	}{{&Dir{Path: fileDir}, fileDir}, {sftpTarget, sftpDir}} {
		require.NoError(t, os.MkdirAll(c.dir, 0o700))
		stale, fresh, other := ".netbird-prod-20261101T030000Z.zip.partial", ".netbird-prod-20261102T030000Z.zip.partial", ".notes.partial"
		for _, n := range []string{stale, fresh, other} {
			require.NoError(t, os.WriteFile(filepath.Join(c.dir, n), []byte("half"), 0o600))
		}
		old := time.Now().Add(-2 * time.Hour)
		require.NoError(t, os.Chtimes(filepath.Join(c.dir, stale), old, old))
		require.NoError(t, os.Chtimes(filepath.Join(c.dir, other), old, old))
		local := filepath.Join(t.TempDir(), "a")
		require.NoError(t, os.WriteFile(local, []byte("archive"), 0o600))
		require.NoError(t, c.tg.Put(t.Context(), "netbird-prod-20261103T030000Z.zip", local))
		require.NoFileExists(t, filepath.Join(c.dir, stale), c.tg.String())
		require.FileExists(t, filepath.Join(c.dir, fresh), c.tg.String())
		require.FileExists(t, filepath.Join(c.dir, other), "not birdseye's")
	}
}

// A multipart upload killed midway keeps its parts on S3 (48 MiB once),
// billed and invisible to a listing. The next put aborts birdseye's
// uploads under the prefix begun over a day ago; others stay.
func TestAnS3UploadAKilledRunLeftIsAborted(t *testing.T) {
	srv := s3test.Start(t, "netbird-backups")
	set := Settings{S3: S3Config{Endpoint: srv.Endpoint, Region: "us-east-1", PathStyle: true, AccessKey: srv.AccessKey, SecretKey: srv.SecretKey, PartSize: 5 << 20}}
	tg, err := New(Spec{Scheme: "s3", Host: "netbird-backups", Path: "prod"}, set)
	require.NoError(t, err)
	s3 := tg.(*S3)
	ctx := t.Context()
	begin := func(key string) {
		resp, err := s3.do(ctx, "POST", key, url.Values{"uploads": {""}}, nil, nil)
		require.NoError(t, err)
		resp.Body.Close()
	}
	begin("prod/netbird-prod-20261101T030000Z.tar.gz.age")
	begin("prod/other-file.bin")
	begin("elsewhere/netbird-x-20261101T030000Z.zip")
	ups, err := s3.uploads(ctx)
	require.NoError(t, err)
	require.Len(t, ups, 2, "the listing is of the prefix only")

	n, err := s3.Sweep(ctx) // what the backup calls before each upload
	require.NoError(t, err)
	require.Zero(t, n, "an upload begun just now may be another run's")
	n, err = s3.abortStale(ctx, time.Now().Add(25*time.Hour))
	require.NoError(t, err)
	require.Equal(t, 1, n)
	ups, err = s3.uploads(ctx)
	require.NoError(t, err)
	require.Len(t, ups, 1)
	require.Equal(t, "prod/other-file.bin", ups[0].Key, "not birdseye's: left alone")
}

// Fetch copies an archive out of a target into a directory of its own; a
// name the target does not hold leaves no directory behind.
func TestFetchCopiesAnArchiveOutAndLeavesNothingWhenItFails(t *testing.T) {
	d := &Dir{Path: t.TempDir()}
	require.NoError(t, os.WriteFile(filepath.Join(d.Path, "netbird-a-20261102T030000Z.zip"), []byte("archive"), 0o600))
	file, err := Fetch(t.Context(), d, "netbird-a-20261102T030000Z.zip")
	require.NoError(t, err)
	defer os.RemoveAll(filepath.Dir(file))
	b, err := os.ReadFile(file)
	require.NoError(t, err)
	require.Equal(t, "archive", string(b))

	before, _ := filepath.Glob(filepath.Join(os.TempDir(), "birdseye-fetch-*"))
	_, err = Fetch(t.Context(), d, "netbird-a-20261103T030000Z.zip")
	require.ErrorContains(t, err, "fetch netbird-a-20261103T030000Z.zip from file://")
	after, _ := filepath.Glob(filepath.Join(os.TempDir(), "birdseye-fetch-*"))
	require.Equal(t, len(before), len(after), "the failed fetch's directory is removed")
}

// flaky fails its first puts and gets with a reset connection, or a
// server error, then works.
type flaky struct {
	Target
	fails      int
	puts, gets int
	writeFirst bool
	failWith   error
}

func (f *flaky) Put(ctx context.Context, name, local string) error {
	if f.puts++; f.puts <= f.fails {
		return f.failWith
	}
	return f.Target.Put(ctx, name, local)
}

func (f *flaky) Get(ctx context.Context, name string, w io.Writer) error {
	if f.gets++; f.gets <= f.fails {
		if f.writeFirst {
			w.Write([]byte("half"))
		}
		return f.failWith
	}
	return f.Target.Get(ctx, name, w)
}

// A put or get that fails for a passing reason (a reset, an S3 503) is
// tried again and succeeds; a permanent one (403) is not; a get that has
// written part of the archive is not tried again.
func TestWithRetryTriesAgainWhatPassesOnly(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		dir := t.TempDir()
		local := filepath.Join(t.TempDir(), "a")
		require.NoError(t, os.WriteFile(local, []byte("archive"), 0o600))
		for _, c := range []struct {
			err   error
			calls int
			ok    bool
		}{
			{fmt.Errorf("upload: %w", syscall.ECONNRESET), 3, true},
			{&s3Error{status: 503, code: "SlowDown"}, 3, true},
			{&s3Error{status: 403, code: "AccessDenied"}, 1, false},
		} {
			f := &flaky{Target: &Dir{Path: dir}, fails: 2, failWith: c.err}
			err := WithRetry(f, retry.Default).Put(t.Context(), "netbird-a-20261102T030000Z.zip", local)
			require.Equal(t, c.ok, err == nil, "%v: %v", c.err, err)
			require.Equal(t, c.calls, f.puts, "%v", c.err)
		}
		f := &flaky{Target: &Dir{Path: dir}, fails: 1, failWith: io.ErrUnexpectedEOF, writeFirst: true}
		var buf bytes.Buffer
		err := WithRetry(f, retry.Default).Get(t.Context(), "netbird-a-20261102T030000Z.zip", &buf)
		require.ErrorIs(t, err, io.ErrUnexpectedEOF)
		require.Equal(t, 1, f.gets, "half an archive written: not tried again")
	})
}

type refusingDelete struct{ *Dir }

func (r refusingDelete) Delete(_ context.Context, name string) error {
	if name == "netbird-a-20261102T030000Z.zip" {
		return os.ErrPermission
	}
	return r.Dir.Delete(context.Background(), name)
}

// A delete the place refuses stops the pruning, names the archive, and
// what was deleted before it is still reported.
func TestPruneNamesTheArchiveItCouldNotDelete(t *testing.T) {
	dir := t.TempDir()
	names := []string{"netbird-a-20261101T030000Z.zip", "netbird-a-20261102T030000Z.zip", "netbird-a-20261103T030000Z.zip", "notes.txt"}
	for _, n := range names {
		require.NoError(t, os.WriteFile(filepath.Join(dir, n), []byte("x"), 0o600))
	}
	gone, err := Prune(t.Context(), refusingDelete{&Dir{Path: dir}}, []string{"netbird-a"}, retention.Policy{Last: 1})
	require.ErrorIs(t, err, os.ErrPermission)
	require.ErrorContains(t, err, "prune netbird-a-20261102T030000Z.zip: ")
	require.Equal(t, []string{"netbird-a-20261101T030000Z.zip"}, gone)
	_, err = os.Stat(filepath.Join(dir, "notes.txt"))
	require.NoError(t, err)
}
