// Command birdseye is a bird's-eye view of a self-hosted NetBird: it forwards
// the management API's audit events to stdout and other sinks, and does the
// operator chores. This file only parses the command line, turns signals into
// a context and maps errors to exit codes.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"syscall"
	_ "time/tzdata" // TZ works in a scratch image

	"github.com/alecthomas/kong"

	"github.com/styliteag/birdseye/internal/audit"
	"github.com/styliteag/birdseye/internal/config"
	"github.com/styliteag/birdseye/internal/roots"
	"github.com/styliteag/birdseye/internal/state"
	"github.com/styliteag/birdseye/internal/version"
)

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2  // bad flags or configuration
	exitAuth    = 3  // the API refuses the token: restarting will not help
	exitBug     = 70 // a panic (EX_SOFTWARE)
)

type cli struct {
	Run              runCmd         `cmd:"" help:"Forward audit events (the daemon; the container's default command)."`
	Demo             demoCmd        `cmd:"" help:"Run the forwarder against a built-in simulated NetBird, no server needed."`
	Healthcheck      healthcheckCmd `cmd:"" help:"Exit 0 when the running daemon's poll loop is alive and its state writable (Docker HEALTHCHECK)."`
	Doctor           doctorCmd      `cmd:"" help:"Check the configuration, NetBird, the tokens, SMTP, the state directory, backups and schedules; one line each with a hint."`
	CleanupEphemeral cleanupCmd     `cmd:"" name:"cleanup-ephemeral" help:"Delete ephemeral peers that are disconnected and not seen for a while (needs NB_ADMIN_API_KEY)."`
	Policies         policiesCmd    `cmd:"" help:"Read the access policies."`
	Peers            peersCmd       `cmd:"" help:"Read the peers."`
	Overview         overviewCmd    `cmd:"" help:"Policies, groups and posture checks at a glance, then every policy in detail."`
	Lint             lintCmd        `cmd:"" help:"Check the account's configuration for what makes the network unsafe (All-to-All, keys that never expire, admin tokens …), read-only; exit 1 on findings at or above --fail-on."`
	Events           eventsCmd      `cmd:"" help:"Show the newest audit events, then follow new ones (colours on a terminal)."`
	SetupKeys        setupKeysCmd   `cmd:"" name:"setup-keys" help:"List setup keys and change their auto groups."`
	Posture          postureCmd     `cmd:"" help:"Attach or detach a posture check on policies (needs an admin token)."`
	Backup           backupCmd      `cmd:"" help:"Backups of NetBird: encrypted volume archives (make, verify, extract) and the offsite configuration archive."`
	Traffic          trafficCmd     `cmd:"" help:"Read network traffic events: who reached whom, allowed or blocked (NetBird Cloud; self-hosted servers lack the endpoint)."`
	ProxyLogs        proxyLogsCmd   `cmd:"" name:"proxy-logs" help:"Read the access log of NetBird's reverse proxy: requests to exposed services, refused logins."`
	Changes          changesCmd     `cmd:"" help:"Configuration changes the daemon recorded over a period (--since 7d), with who made them and every field before and after."`
	Sinks            sinksCmd       `cmd:"" help:"Check the configured destinations: sinks test [NAME] sends each a sample event."`
	Webhook          webhookCmd     `cmd:"" help:"Tools for people writing a webhook receiver: webhook verify checks a signature."`
	Clone            cloneCmd       `cmd:"" help:"The standby clone: stage the primary's data on a standby host, install, drill, verify, fail over, roll back."`
	Diff             diffCmd        `cmd:"" help:"Compare two configurations by name, field by field: documents of export --by-name, NB_URL or MIRROR_URL; exit 1 when they differ."`
	Mirror           mirrorCmd      `cmd:"" help:"Keep a second controller (MIRROR_URL) in step with NB_URL's account. A dry run unless --apply; the source is only read."`
	Export           exportCmd      `cmd:"" help:"Export the whole configuration through the API as JSON into an encrypted archive (needs NB_ADMIN_API_KEY)."`
	AllowPing        allowPingCmd   `cmd:"" name:"allow-ping" help:"Keep an ICMP companion policy (ZPING: <name>) beside every policy that allows only some protocols (needs an admin token)."`
	State            stateCmd       `cmd:"" help:"Look after the state directory: state fix-owner hands a Python-era volume to the image's user."`
	Version          versionCmd     `cmd:"" help:"Print version, commit and Go version."`
	Help             helpCmd        `cmd:"" help:"Show this help, or a command's: birdseye help backup run."`

	PrintVersion kong.VersionFlag `name:"version" help:"Print the version and stop."`
}

type helpCmd struct {
	Command []string `arg:"" optional:"" help:"The command to explain."`
}

// env is what commands get besides their flags.
type env struct {
	stdout, stderr io.Writer
	// daemon, when a command sets it, runs after the command returns and the
	// command line's parser is dropped: kong's model (~170 KB) would
	// otherwise stay in the idle daemon's heap for as long as it runs.
	daemon func() error
}

func main() {
	os.Exit(run(os.Args, os.Stdout, os.Stderr))
}

func run(argv []string, stdout, stderr io.Writer) int {
	args := multiCall(argv)
	var c cli
	parser, err := kong.New(&c,
		kong.Name("birdseye"),
		kong.Description("A bird's-eye view of a self-hosted NetBird: audit-event forwarding and operator chores.\nConfiguration comes from environment variables (and ./.env); see the README."),
		kong.Writers(stdout, stderr),
		kong.Exit(func(code int) { panic(exitPanic(code)) }),
		kong.UsageOnError(),
		kong.Vars{"uid": fmt.Sprint(state.ImageUID), "fix": state.FixOwnerCommand, "version": version.String()},
	)
	if err != nil {
		fmt.Fprintln(stderr, "birdseye:", err)
		return exitFailure
	}
	code := exitOK
	func() {
		defer func() {
			if r := recover(); r != nil {
				if e, ok := r.(exitPanic); ok {
					code = int(e)
					return
				}
				code = reportPanic(stderr, r, debug.Stack(), config.SecretValues())
			}
		}()
		kctx, perr := parser.Parse(args)
		if perr != nil {
			parser.Errorf("%s", perr)
			code = exitUsage
			return
		}
		ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
		defer stop()
		go func() {
			<-ctx.Done()
			stop() // a second signal kills a stuck shutdown
		}()
		if !slices.Contains(offline, kctx.Command()) {
			if _, err := roots.EnsureFallback(); err != nil {
				fmt.Fprintln(stderr, "birdseye: warning:", err)
			}
		}
		kctx.BindTo(ctx, (*context.Context)(nil))
		kctx.Bind(&kongContext{kctx})
		e := &env{stdout: stdout, stderr: stderr}
		err := kctx.Run(e)
		parser, kctx = nil, nil
		if err == nil && e.daemon != nil {
			err = e.daemon()
		}
		code = exitCode(err, stderr)
	}()
	return code
}

type exitPanic int

// flagError is a wrong flag or argument (not a variable): exit 2, and no
// "config:" in front, which would send the user looking in .env.
type flagError struct{ Flag, Msg string }

func (e *flagError) Error() string {
	if strings.HasPrefix(e.Msg, "=") {
		return e.Flag + e.Msg
	}
	return e.Flag + " " + e.Msg
}

// offline are the commands that open no TLS connection: they skip loading
// CA roots (the Docker HEALTHCHECK runs every 30 s).
var offline = []string{"healthcheck", "version"}

// multiCallNames are the top-level commands the image links to the binary
// (docker/Dockerfile makes the same links; a test keeps the two in step).
var multiCallNames = []string{"healthcheck", "doctor", "version", "cleanup-ephemeral", "policies", "peers", "overview", "lint", "events", "setup-keys", "posture", "allow-ping", "backup", "export", "traffic", "proxy-logs", "changes", "sinks", "diff", "mirror", "clone", "state", "webhook", "demo"}

// multiCall runs `policies …` when the binary is invoked through a link named
// like a top-level command, as `docker exec birdseye policies list` does.
func multiCall(argv []string) []string {
	name := filepath.Base(argv[0])
	args := argv[1:]
	if slices.Contains(multiCallNames, name) {
		args = append([]string{name}, args...)
	}
	// `birdseye help backup run` is `birdseye backup run --help`; plain
	// `birdseye` shows the usage too (the daemon is `birdseye run`, the
	// image's default command).
	if len(args) == 0 || args[0] == "help" {
		args = append(slices.Clone(args[min(1, len(args)):]), "--help")
	}
	return args
}

// reportPanic prints a panic with every secret value scrubbed: a panic's
// message is whatever the failing code formatted, which may hold a token.
func reportPanic(stderr io.Writer, r any, stack []byte, secrets []string) int {
	fmt.Fprint(stderr, config.CrashReport(r, stack, secrets))
	return exitBug
}

func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return exitOK
	}
	if errors.Is(err, errUnhealthy) {
		return exitFailure // the reason is already printed
	}
	var ee errExit
	if errors.As(err, &ee) {
		return ee.code // the report is already printed
	}
	for _, line := range strings.Split(err.Error(), "\n") { // several problems: one line each
		fmt.Fprintln(stderr, "birdseye:", line)
	}
	var ce *config.Error
	switch {
	case errors.As(err, &ce), errors.Is(err, state.ErrUnusable), errors.As(err, new(*flagError)):
		return exitUsage
	case errors.Is(err, audit.ErrFatal):
		return exitAuth
	}
	return exitFailure
}

// kongContext tells a command which of several paths reached it (posture add
// and posture remove share one implementation).
type kongContext struct{ *kong.Context }

// command is the last word of the command path, e.g. "remove".
func (k *kongContext) command() string {
	path := strings.Fields(k.Context.Command())
	for i := len(path) - 1; i >= 0; i-- {
		if !strings.HasPrefix(path[i], "<") {
			return path[i]
		}
	}
	return ""
}
