package doctor

import (
	"context"
	"os"
	"time"

	"github.com/styliteag/birdseye/internal/config"
	"github.com/styliteag/birdseye/internal/monitor"
)

// checkCheckmk says whether the jobs' local checks can be written.
func checkCheckmk(dir string, add func(Result)) {
	if dir == "" {
		return
	}
	if problem, fix := monitor.SpoolProblem(dir); problem != "" {
		status := Fail
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			status = Warn
		}
		add(Result{status, "CHECKMK_SPOOL_DIR", problem, fix})
		return
	}
	add(Result{OK, "CHECKMK_SPOOL_DIR", dir + ": writable; each scheduled job writes its local check there", ""})
}

// checkOffsite reaches the offsite target as the job would, and ships nothing.
func checkOffsite(ctx context.Context, cfg *config.Config, p Probes, add func(Result)) {
	if p.Offsite == nil {
		return
	}
	if err := cfg.Offsite.Require("OFFSITE_REMOTE_DIR"); err != nil {
		add(Result{Fail, "offsite", err.Error(), ""})
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	msg, err := p.Offsite(ctx)
	if err != nil {
		add(Result{Fail, "offsite", err.Error(), "check OFFSITE_SSH_HOST, OFFSITE_SSH_PORT, OFFSITE_SSH_KEY and that its public key is in the remote account's authorized_keys"})
		return
	}
	add(Result{OK, "offsite", msg, ""})
}

// checkClone reaches the standby as a refresh would; nothing is staged,
// pushed or started.
func checkClone(ctx context.Context, p Probes, add func(Result)) {
	if p.Clone == nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	msg, err := p.Clone(ctx)
	if err != nil {
		add(Result{Fail, "clone", err.Error(), "check CLONE_SSH_HOST, CLONE_SSH_PORT, CLONE_SSH_KEY, CLONE_TARGETS and that the standby has bash, coreutils and docker compose"})
		return
	}
	add(Result{OK, "clone", msg, ""})
}

// checkMirror reads the mirror's target with its token, as a run would
// first; nothing is written.
func checkMirror(ctx context.Context, p Probes, add func(Result)) {
	if p.Mirror == nil {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	msg, warn, err := p.Mirror(ctx)
	switch {
	case err != nil:
		add(Result{Fail, "MIRROR_URL", err.Error(), "check MIRROR_URL and that MIRROR_API_KEY is an admin token of that controller"})
	case warn != "":
		add(Result{Warn, "MIRROR_API_KEY", msg + "; " + warn, "give the token's user the Admin role on the target (a dry run needs only reading)"})
	default:
		add(Result{OK, "MIRROR_URL", msg, ""})
	}
}

// checkTargets reaches every backup target and proves it writable.
func checkTargets(ctx context.Context, p Probes, add func(Result)) {
	for _, t := range p.Targets {
		ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		msg, err := t.Check(ctx)
		cancel()
		if err != nil {
			add(Result{Fail, "BACKUP_TARGETS", err.Error(), "the scheduled backup would not reach " + t.String()})
			continue
		}
		add(Result{OK, "BACKUP_TARGETS", msg, ""})
	}
}
