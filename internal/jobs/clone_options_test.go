package jobs

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/clone"
	"github.com/styliteag/birdseye/internal/config"
)

// The primary's public name and port come from NB_URL when it is the
// public https URL; an NB_URL on the Docker network (plain http) says
// nothing about them, so CLONE_PRIMARY_HOST must name the primary then.
func TestCloneOptionsTakeThePublicNameAndPortFromTheRightPlace(t *testing.T) {
	cfg := config.Clone{Host: "root@standby.example.com", Targets: "cold", DBPaths: config.List{"/netbird/store.db"}, DBSubdir: "data/netbird",
		StageDir: "/var/tmp/stage", MinRows: "accounts:1", Keep: 3, Strict: "accept-new", Port: 22}
	t.Setenv("CLONE_COLD_ROOT", "/opt/cold")

	o, err := CloneOptions(cfg, config.NetBird{URL: "https://nb.example.com:8443", APIKey: "nbp_x"}, "/var/lib/birdseye/state.json")
	require.NoError(t, err)
	require.Equal(t, "nb.example.com", o.Plan.Primary)
	require.Equal(t, "8443", o.Plan.Port)
	require.Equal(t, "standby.example.com:8443", o.StandbyDial)
	require.Equal(t, "/opt/cold/incoming", o.Payload)
	require.Equal(t, "/var/lib/birdseye/clone.lock", o.LockFile)

	_, err = CloneOptions(cfg, config.NetBird{URL: "http://management:80"}, "/var/lib/birdseye/state.json")
	require.EqualError(t, err, "config: CLONE_PRIMARY_HOST is not set and NB_URL=http://management:80 is an internal address; expected the primary's public name, e.g. netbird.example.com")

	cfg.PrimaryHost, cfg.StandbyIP = "nb.example.com", "203.0.113.7"
	o, err = CloneOptions(cfg, config.NetBird{URL: "http://management:80"}, "/var/lib/birdseye/state.json")
	require.NoError(t, err)
	require.Equal(t, "nb.example.com", o.Plan.Primary)
	require.Equal(t, "", o.Plan.Port, "the public port is 443, not the internal 80")
	require.Equal(t, "203.0.113.7:443", o.StandbyDial)
	require.Equal(t, "http://management:80", o.Primary.URL, "the primary is read where birdseye reaches it")
}

// The failure mail names the step the refresh stopped at, also now that
// the job's report (not the work) sends it: the error the work returns is
// still the step's.
func TestTheCloneFailureMailNamesTheStepFromTheWorksError(t *testing.T) {
	cfg := &config.Config{Clone: config.Clone{Host: "root@standby"}, Log: config.Log{TZ: config.Location{Name: "UTC", Loc: time.UTC}}}
	err := &stoppedAt{msg: "refresh stopped at stage (2026-12-05 17:56): snapshot fails CLONE_MIN_ROWS", step: &clone.StepError{Step: "stage", Err: errors.New("snapshot fails CLONE_MIN_ROWS")}}
	_, body := CloneFailureMail(cfg, err, time.Now())
	require.Contains(t, body, "The standby clone refresh failed.\n\nFailed at step 'stage'.\n\nsnapshot fails CLONE_MIN_ROWS")
}
