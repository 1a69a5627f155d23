package jobs

import (
	"bytes"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/config"
	"github.com/styliteag/birdseye/internal/netbird/fake"
	"github.com/styliteag/birdseye/internal/schedule"
)

// MIRROR_SOURCE: the schedule applies a document, read again at every run;
// a broken one fails the run and writes nothing.
func TestTheScheduledMirrorAppliesADocument(t *testing.T) {
	srcF, dstF := fake.New(), fake.New()
	src, dst := httptest.NewServer(srcF), httptest.NewServer(dstF)
	t.Cleanup(src.Close)
	t.Cleanup(dst.Close)
	file := filepath.Join(t.TempDir(), "netbird.yaml")
	require.NoError(t, os.WriteFile(file, []byte("birdseye_config: 1\ngroups:\n  - name: From git\n    peers: []\n"), 0o644))
	cfg := &config.Config{
		NetBird:  config.NetBird{URL: src.URL, APIKey: fake.AuditorToken},
		Schedule: config.Schedule{Mirror: "0 * * * *"},
		Mirror: config.Mirror{URL: dst.URL, APIKey: fake.AdminToken, Apply: true, Protected: "All", Sections: config.List{"groups"},
			SnapshotDir: filepath.Join(t.TempDir(), "mirror"), Source: file},
		Log: config.Log{TZ: config.Location{Name: "UTC", Loc: time.UTC}},
	}
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	s := schedule.New(time.UTC, log)
	require.NoError(t, addJob(s, cfg, log, "CRON_MIRROR_ACCOUNT"))
	require.NoError(t, s.RunOnce(t.Context(), s.Jobs()[0]), logs.String())
	require.Contains(t, string(dstF.Collection("groups")), `"name":"From git"`)
	require.Empty(t, srcF.Requests(), "NB_URL's account is not read")

	require.NoError(t, os.WriteFile(file, []byte("birdseye_config: 1\nsetup_keys:\n  - name: k\n    auto_groups: [Nope]\n"), 0o644))
	writes := len(dstF.Writes())
	err := s.RunOnce(t.Context(), s.Jobs()[0])
	require.ErrorContains(t, err, "MIRROR_SOURCE: "+file+":4: setup key \"k\" names group \"Nope\", which the document does not have")
	require.Len(t, dstF.Writes(), writes, "nothing written")
}
