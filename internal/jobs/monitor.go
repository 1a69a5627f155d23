package jobs

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/styliteag/birdseye/internal/config"
	"github.com/styliteag/birdseye/internal/monitor"
	"github.com/styliteag/birdseye/internal/schedule"
)

// monitored wraps a job of the table: pings its start, runs it with a
// report that goes to the log, then writes its Checkmk check, pings how it
// went and mails a failure. None of these may fail the job: a monitoring
// problem is logged. when is its schedule (its check is stale after two of
// its intervals, at least an hour, unless its row says otherwise).
func monitored(cfg *config.Config, log *slog.Logger, spec Spec, when string, run func(ctx context.Context, out *lineLog) error) schedule.Job {
	mon := cfg.Monitor
	ping := monitor.Pinger{URL: spec.PingURL(mon).Reveal(), Style: mon.PingStyle}
	check := spec.Check
	check.MaxAge = staleAfter(when)
	if spec.MaxAge != nil {
		check.MaxAge = spec.MaxAge(cfg)
	}
	spool := mon.CheckmkDir
	if problem, _ := monitor.SpoolProblem(spool); spool != "" && problem != "" {
		spool = "" // said once at start (spoolWarning)
	}
	jlog := log.With("job", spec.Name)
	return schedule.Job{Name: spec.Name, Spec: when, Run: func(ctx context.Context) error {
		if err := ping.Start(ctx); err != nil {
			jlog.Warn("start ping not sent", "err", err)
		}
		out := &lineLog{log: jlog}
		r := monitor.Run{Start: time.Now()}
		r.Err = run(ctx, out)
		r.Took = time.Since(r.Start)
		r.Summary = lastLine(out.text.String())
		if w := (*monitor.Warning)(nil); errors.As(r.Err, &w) {
			r.Warn, r.Err = true, nil
			jlog.Warn(w.Msg)
			if r.Summary == "" {
				r.Summary = w.Msg
			}
		}
		if r.Err != nil {
			r.Summary = strings.TrimSpace(r.Err.Error())
			mailFailure(ctx, cfg, jlog, spec, r.Err, out.text.String(), time.Now())
		}
		// A dry run reports failures, not success: it changed nothing.
		dry := spec.FailuresOnly != nil && spec.FailuresOnly(cfg)
		if spool != "" && (r.Err != nil || !dry) {
			if err := check.Write(spool, r, cfg.Log.TZ.Loc); err != nil {
				jlog.Warn("Checkmk file not written", "err", err)
			}
		}
		if err := ping.Finish(context.WithoutCancel(ctx), r); err != nil {
			jlog.Warn("ping not sent", "err", err)
		}
		return r.Err
	}}
}

// spoolWarning says once, at start, that the jobs' checks cannot be
// written, and how to fix it.
func spoolWarning(cfg *config.Config, log *slog.Logger) {
	if dir := cfg.Monitor.CheckmkDir; dir != "" {
		if problem, fix := monitor.SpoolProblem(dir); problem != "" {
			log.Warn("CHECKMK_SPOOL_DIR: "+problem, "fix", fix)
		}
	}
}

// staleAfter is twice the job's interval (from its schedule's next two
// runs), at least an hour.
func staleAfter(spec string) time.Duration {
	s, err := schedule.Parse(spec)
	if err != nil {
		return time.Hour
	}
	next := s.Next(time.Now())
	return max(time.Hour, 2*s.Next(next).Sub(next)).Round(time.Second)
}

func lastLine(text string) string {
	lines := strings.Split(strings.TrimSpace(text), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}
