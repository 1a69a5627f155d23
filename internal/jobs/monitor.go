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

// checks are the jobs' Checkmk local checks, by the variable that
// schedules them. The maintenance and offsite checks are the Python
// tool's (file, service, maximum age); the others follow its style, and
// are stale after two of their intervals (at least an hour), so one missed
// run is not yet an alarm.
var checks = map[string]monitor.Check{
	"CRON_NETBIRD_MAINTENANCE": {File: "netbird_account_maintenance", Service: "NetBird_Account_Maintenance", Label: "maintenance"},
	"CRON_CLEANUP_EPHEMERAL":   {File: "netbird_cleanup_ephemeral", Service: "NetBird_Cleanup_Ephemeral", Label: "cleanup"},
	"CRON_PRUNE_PEERS":         {File: "netbird_prune_peers", Service: "NetBird_Prune_Peers", Label: "prune"},
	"CRON_BACKUP_NETBIRD":      {File: "netbird_backup", Service: "NetBird_Backup", Label: "backup"},
	"CHANGE_REPORT":            {File: "netbird_change_report", Service: "NetBird_Change_Report", Label: "change report"},
	"CRON_BACKUP_OFFSITE":      {File: "netbird_config_backup", Service: "NetBird_Config_Backup", Label: "backup"},
	"CRON_MIRROR_ACCOUNT":      {File: "netbird_account_mirror", Service: "NetBird_Account_Mirror", Label: "mirror"},
	"CRON_CLONE_STANDBY":       {File: "netbird_standby_clone", Service: "NetBird_Standby_Clone", Label: "clone"},
}

// monitored wraps a job: pings its start, runs it with a report that goes
// to the log, then writes its Checkmk check and pings how it went. Neither
// may fail the job: a monitoring problem is logged.
func monitored(cfg *config.Config, log *slog.Logger, name, variable, spec string, run func(ctx context.Context, out *lineLog) error) schedule.Job {
	mon := cfg.Monitor
	ping := monitor.Pinger{URL: mon.PingURL(variable), Style: mon.PingStyle}
	check, hasCheck := checks[variable]
	check.MaxAge = staleAfter(spec)
	switch variable {
	case "CRON_NETBIRD_MAINTENANCE":
		check.MaxAge = time.Duration(mon.MaintenanceMaxAge) * time.Second
	case "CRON_BACKUP_OFFSITE":
		check.MaxAge = 48 * time.Hour // the old tool's fixed 172800_netbird_config_backup.txt
	case "CRON_CLONE_STANDBY":
		check.MaxAge = 9 * time.Hour // the old tool's fixed 32400_netbird_standby_clone.txt
	}
	spool := mon.CheckmkDir
	if problem, _ := monitor.SpoolProblem(spool); spool != "" && problem != "" {
		spool = "" // said once at start (spoolWarning)
	}
	jlog := log.With("job", name)
	return schedule.Job{Name: name, Spec: spec, Run: func(ctx context.Context) error {
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
		}
		// A dry run reports failures, not success: it changed nothing.
		dry := variable == "CRON_NETBIRD_MAINTENANCE" && bool(cfg.Maintenance.DryRun)
		if spool != "" && hasCheck && (r.Err != nil || !dry) {
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
