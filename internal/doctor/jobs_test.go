package doctor

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/netbird/fake"
	"github.com/styliteag/birdseye/internal/netbird/nbtest"
	"github.com/styliteag/birdseye/internal/offsite"
	"github.com/styliteag/birdseye/internal/sshremote"
	"github.com/styliteag/birdseye/internal/sshremote/sshtest"
)

// doctor reaches the offsite host as the job would (a real sshd here) and
// ships nothing; a refused key is a failed check with a hint.
func TestTheOffsiteTargetIsReachedWithoutShipping(t *testing.T) {
	s := sshtest.Start(t)
	_, api := nbtest.Start(t, fake.AuditorToken)
	cfg := baseConfig(t, api.BaseURL())
	cfg.Offsite.Host, cfg.Offsite.RemoteDir = "root@127.0.0.1", filepath.Join(t.TempDir(), "offsite")
	o := offsite.Options{RemoteDir: cfg.Offsite.RemoteDir, Prefix: "config-backup", Remote: sshremote.Config{Host: "root@127.0.0.1", Port: s.Port,
		KeyFile: s.ClientKey, KnownHosts: filepath.Join(t.TempDir(), "known_hosts"), Strict: sshremote.StrictAcceptNew}}
	probe := func(ctx context.Context) (string, error) { return offsite.Check(ctx, o) }
	var out bytes.Buffer
	Run(t.Context(), cfg, Probes{API: api, Offsite: probe}, time.Now(), &out)
	require.Regexp(t, `ok    offsite +127\.0\.0\.1:\d+: connected, host key ok, `+cfg.Offsite.RemoteDir+` writable \(to be created\), [\d.]+ GB free`, out.String())

	s.NewHostKey(t)
	out.Reset()
	require.Equal(t, Fail, Run(t.Context(), cfg, Probes{API: api, Offsite: probe}, time.Now(), &out))
	require.Contains(t, out.String(), "FAIL  offsite")
	require.Contains(t, out.String(), "has CHANGED")
	require.Contains(t, out.String(), "(hint: check OFFSITE_SSH_HOST")
}

type checker struct {
	name string
	err  error
}

func (c checker) String() string { return c.name }
func (c checker) Check(context.Context) (string, error) {
	return c.name + ": writable", c.err
}

func TestEveryBackupTargetIsChecked(t *testing.T) {
	_, api := nbtest.Start(t, fake.AuditorToken)
	cfg := baseConfig(t, api.BaseURL())
	var out bytes.Buffer
	status := Run(t.Context(), cfg, Probes{API: api, Targets: []Checker{checker{name: "file:///mnt/disk"}, checker{name: "sftp://b@vault:22/nb", err: errors.New("sftp://b@vault:22/nb: connect: connection refused")}}}, time.Now(), &out)
	require.Equal(t, Fail, status)
	require.Contains(t, out.String(), "ok    BACKUP_TARGETS         file:///mnt/disk: writable")
	require.Contains(t, out.String(), "FAIL  BACKUP_TARGETS         sftp://b@vault:22/nb: connect: connection refused  (hint: the scheduled backup would not reach sftp://b@vault:22/nb)")
}

// The clone's look is one line: ok with what it found, or the failure with
// where to look.
func TestTheCloneCheckIsOneLineWithAHint(t *testing.T) {
	_, api := nbtest.Start(t, fake.AuditorToken)
	cfg := baseConfig(t, api.BaseURL())
	var out bytes.Buffer
	ok := func(context.Context) (string, error) {
		return "127.0.0.1:22: connected; staged 2026-11-29T04:00:00Z for nb.example.com", nil
	}
	Run(t.Context(), cfg, Probes{API: api, Clone: ok}, time.Now(), &out)
	require.Contains(t, out.String(), "ok    clone                  127.0.0.1:22: connected; staged 2026-11-29T04:00:00Z for nb.example.com")

	out.Reset()
	bad := func(context.Context) (string, error) {
		return "", errors.New("the standby 127.0.0.1:22 cannot run install.sh: bash or sha256sum missing")
	}
	require.Equal(t, Fail, Run(t.Context(), cfg, Probes{API: api, Clone: bad}, time.Now(), &out))
	require.Contains(t, out.String(), "FAIL  clone                  the standby 127.0.0.1:22 cannot run install.sh: bash or sha256sum missing  (hint: check CLONE_SSH_HOST")
}
