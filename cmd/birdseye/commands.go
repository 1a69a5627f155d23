package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/styliteag/birdseye/internal/apiclient"
	"github.com/styliteag/birdseye/internal/app"
	"github.com/styliteag/birdseye/internal/cleanup"
	"github.com/styliteag/birdseye/internal/config"
	"github.com/styliteag/birdseye/internal/demo"
	"github.com/styliteag/birdseye/internal/logging"
	"github.com/styliteag/birdseye/internal/netbird"
	"github.com/styliteag/birdseye/internal/netbird/fake"
	"github.com/styliteag/birdseye/internal/state"
	"github.com/styliteag/birdseye/internal/version"
)

type runCmd struct{}

func (runCmd) Run(ctx context.Context, e *env) error {
	if err := config.LoadDotEnv(".env"); err != nil {
		return err
	}
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	log := newLog(e.stderr, cfg.Log.Level, cfg.Log.Format)
	for _, k := range config.DotEnvRepeated() {
		log.Warn(".env sets "+k+" more than once; the last value is used, as Docker Compose does", "key", k)
	}
	e.daemon = func() error { return app.Run(ctx, cfg, log, e.stdout, app.Options{}) }
	return nil
}

type demoCmd struct {
	Every    time.Duration `default:"1.5s" help:"How often the simulated NetBird produces an event."`
	Duration time.Duration `help:"Stop after this long (default: run until Ctrl-C)."`
	Seed     uint64        `default:"1" help:"Seed of the simulated event stream."`
}

// Run serves a simulated NetBird on loopback and runs the forwarder against
// it with the configured sinks. NB_URL, NB_API_KEY and STATE_FILE always
// point at the simulation, so a real deployment's state is never touched.
func (d demoCmd) Run(ctx context.Context, e *env) error {
	if err := config.LoadDotEnv(".env"); err != nil {
		return err
	}
	srv, err := demo.Start()
	if err != nil {
		return err
	}
	defer srv.Close()
	dir, err := os.MkdirTemp("", "birdseye-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	os.Setenv("NB_URL", srv.URL)
	os.Setenv("NB_API_KEY", fake.AuditorToken)
	os.Setenv("NB_ADMIN_API_KEY", fake.AdminToken) // the scheduled jobs run against the simulation too
	os.Unsetenv("NB_API_KEY_FILE")
	os.Unsetenv("NB_ADMIN_API_KEY_FILE")
	os.Setenv("STATE_FILE", filepath.Join(dir, "state.json"))
	setDefault("POLL_INTERVAL", "2")
	setDefault("BACKFILL", "5")
	setDefault("UPDATE_SOURCE_URL", "off") // a simulation asks nobody outside for releases
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	log := newLog(e.stderr, cfg.Log.Level, cfg.Log.Format)
	log.Info("demo: simulated NetBird management API", "url", srv.URL, "new_event_every", d.Every)
	if d.Duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, d.Duration)
		defer cancel()
	}
	go demo.Generate(ctx, srv.Fake, d.Every, d.Seed)
	return app.Run(ctx, cfg, log, e.stdout, app.Options{Simulated: true})
}

func setDefault(k, v string) {
	if _, ok := os.LookupEnv(k); !ok {
		os.Setenv(k, v)
	}
}

type versionCmd struct{}

func (versionCmd) Run(e *env) error {
	_, err := fmt.Fprintln(e.stdout, version.String())
	return err
}

type healthcheckCmd struct{}

var errUnhealthy = errors.New("unhealthy")

// Run reads the heartbeat the daemon writes beside STATE_FILE. It needs no
// API access and no shell, so it works as the HEALTHCHECK of a scratch image.
func (healthcheckCmd) Run(e *env) error {
	f, err := config.LoadForwarder()
	if err != nil {
		return err
	}
	h := state.Check(f.StateFile, time.Now())
	for _, l := range h.Lines {
		fmt.Fprintln(e.stdout, l)
	}
	if !h.Healthy {
		return errUnhealthy
	}
	return nil
}

type cleanupCmd struct {
	DryRun        bool    `help:"Show what would be deleted; delete nothing."`
	MinAgeMinutes float64 `default:"60" placeholder:"MINUTES" help:"Delete only peers not seen for this many minutes."`
}

// Run is the ephemeral cleanup, also run by the daemon on
// CRON_CLEANUP_EPHEMERAL.
func (c cleanupCmd) Run(ctx context.Context, e *env) error {
	if c.MinAgeMinutes < 0 {
		return &flagError{Flag: "--min-age-minutes", Msg: fmt.Sprintf("=%g is negative; expected minutes, e.g. 60", c.MinAgeMinutes)}
	}
	_, client, err := tool(adminToken, "cleanup-ephemeral")
	if err != nil {
		return err
	}
	_, err = cleanup.Ephemeral(ctx, client, cleanup.Options{MinAge: time.Duration(c.MinAgeMinutes * float64(time.Minute)), DryRun: c.DryRun}, time.Now(), e.stdout)
	return adminHint(err)
}

// token is which token a command needs.
type token int

const (
	readToken  token = iota // NB_API_KEY (NB_ADMIN_API_KEY when it is the only one)
	adminToken              // NB_ADMIN_API_KEY
	adminFirst              // NB_ADMIN_API_KEY, else NB_API_KEY (setup keys, posture, allow-ping)
)

// tool gives a command its settings and an API client with the token it
// needs, reading ./.env and the environment once.
func tool(need token, command string) (*config.Tool, *netbird.Client, error) {
	if err := config.LoadDotEnv(".env"); err != nil {
		return nil, nil, err
	}
	t, err := config.LoadTool()
	if err != nil {
		return nil, nil, err
	}
	if err := t.CheckURL(); err != nil {
		return nil, nil, err
	}
	var tok string
	if need == adminFirst {
		tok, err = t.NetBird.TokenAdminFirst()
	} else {
		tok, err = t.NetBird.Token(need == adminToken, command)
	}
	if err != nil {
		return nil, nil, err
	}
	c, err := apiclient.New(t.NetBird, tok)
	return t, c, err
}

// adminHint explains a 403: the token lacks the permission.
func adminHint(err error) error {
	var e *netbird.Error
	if errors.As(err, &e) && e.Status == 403 {
		return fmt.Errorf("%w: needs an admin token: NB_ADMIN_API_KEY", err)
	}
	return err
}

// newLog is the diagnostics logger of a command: stderr, with every secret
// value scrubbed from whatever gets logged.
func newLog(w io.Writer, level, format string) *slog.Logger {
	return logging.WithScrub(logging.New(w, level, format), config.SecretValues())
}
