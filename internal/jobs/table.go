package jobs

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/styliteag/birdseye/internal/cleanup"
	"github.com/styliteag/birdseye/internal/config"
	"github.com/styliteag/birdseye/internal/metrics"
	"github.com/styliteag/birdseye/internal/monitor"
	"github.com/styliteag/birdseye/internal/netbird"
)

// Spec is one scheduled job: what schedules it, what it needs, how
// monitoring hears of it, where its failure is mailed and how it is built.
// The scheduler, doctor, the commands that run a job by hand and the
// docs' job table (held by a test) all read the table: adding a job is
// its package, its variables in config and one row.
type Spec struct {
	Name     string // cleanup-ephemeral: the log's job=, the metrics' label
	Variable string // its schedule: CRON_CLEANUP_EPHEMERAL
	Ping     string // its ping URL's variable: PING_URL_CLEANUP_EPHEMERAL
	Schedule func(config.Schedule) string
	PingURL  func(config.Monitor) config.Secret
	// Needs names what the job lacks beyond its schedule; the daemon
	// leaves it out with one warning and doctor says the same. Admin: it
	// needs NB_ADMIN_API_KEY too.
	Needs func(*config.Config) []string
	Admin bool
	// Defaulted: its schedule has a default the template leaves unset, so
	// lacking only the admin token is no warning (it waits for one).
	Defaulted bool
	// Check is its Checkmk local check (file, service, label); MaxAge,
	// when set, is how long the check stays fresh instead of two
	// intervals (at least an hour).
	Check  monitor.Check
	MaxAge func(*config.Config) time.Duration
	// FailuresOnly: a run that changed nothing (a maintenance dry run)
	// writes its Checkmk check only when it fails.
	FailuresOnly func(*config.Config) bool
	// Mail, when set, is its failure mail: the job's own recipients (its
	// *_EMAIL_TO; empty falls back to BACKUP_EMAIL_TO, then SMTP_TO),
	// the subject and the body. The report is what the run printed.
	Mail func(cfg *config.Config, err error, report string, now time.Time) (to config.List, subject, body string)
	// Build makes the job's work from the configuration; an error stops
	// the start, naming the variable at fault.
	Build func(cfg *config.Config, d Deps) (Work, error)
}

// Deps is what the jobs share at run time.
type Deps struct {
	Log     *slog.Logger
	Metrics *metrics.M // nil: a job by hand records none
	Admin   *netbird.Client
}

// Table is every scheduled job, in the order they are added.
var Table = []Spec{
	{Name: "cleanup-ephemeral", Variable: "CRON_CLEANUP_EPHEMERAL", Ping: "PING_URL_CLEANUP_EPHEMERAL",
		Schedule: func(s config.Schedule) string { return s.CleanupEphemeral },
		PingURL:  func(m config.Monitor) config.Secret { return m.PingCleanup },
		Admin:    true, Defaulted: true,
		Check: monitor.Check{File: "netbird_cleanup_ephemeral", Service: "NetBird_Cleanup_Ephemeral", Label: "cleanup"},
		Build: func(_ *config.Config, d Deps) (Work, error) {
			return func(ctx context.Context, out io.Writer) error {
				_, err := cleanup.Ephemeral(ctx, d.Admin, cleanup.Options{MinAge: time.Hour}, time.Now(), out)
				return err
			}, nil
		}},
	{Name: "prune-peers", Variable: "CRON_PRUNE_PEERS", Ping: "PING_URL_PRUNE_PEERS",
		Schedule: func(s config.Schedule) string { return s.PrunePeers },
		PingURL:  func(m config.Monitor) config.Secret { return m.PingPrune },
		Admin:    true,
		Check:    monitor.Check{File: "netbird_prune_peers", Service: "NetBird_Prune_Peers", Label: "prune"},
		Build: func(cfg *config.Config, d Deps) (Work, error) {
			p := cfg.Prune
			return func(ctx context.Context, out io.Writer) error {
				_, err := cleanup.Prune(ctx, d.Admin, cleanup.PruneOptions{OfflineFor: time.Duration(p.OfflineDays) * 24 * time.Hour,
					Protect: p.ProtectGroups.Globs, Max: int(p.Max), Apply: true}, time.Now(), out)
				return err
			}, nil
		}},
	{Name: "backup", Variable: "CRON_BACKUP_NETBIRD", Ping: "PING_URL_BACKUP_NETBIRD",
		Schedule: func(s config.Schedule) string { return s.Backup },
		PingURL:  func(m config.Monitor) config.Secret { return m.PingBackup },
		Needs:    backupNeeds,
		Check:    monitor.Check{File: "netbird_backup", Service: "NetBird_Backup", Label: "backup"},
		Build:    buildBackup}, // backup.Run mails its own FAILED notices
	{Name: "mirror-account", Variable: "CRON_MIRROR_ACCOUNT", Ping: "PING_URL_MIRROR_ACCOUNT",
		Schedule: func(s config.Schedule) string { return s.Mirror },
		PingURL:  func(m config.Monitor) config.Secret { return m.PingMirror },
		Needs:    mirrorNeeds,
		Check:    monitor.Check{File: "netbird_account_mirror", Service: "NetBird_Account_Mirror", Label: "mirror"},
		Mail:     plainMail("mirror-account", func(*config.Config) config.List { return nil }),
		Build:    buildMirror},
	{Name: "backup-offsite", Variable: "CRON_BACKUP_OFFSITE", Ping: "PING_URL_BACKUP_OFFSITE",
		Schedule: func(s config.Schedule) string { return s.Offsite },
		PingURL:  func(m config.Monitor) config.Secret { return m.PingOffsite },
		Needs:    func(c *config.Config) []string { return c.Offsite.Missing() },
		Check:    monitor.Check{File: "netbird_config_backup", Service: "NetBird_Config_Backup", Label: "backup"},
		MaxAge:   fixedAge(48 * time.Hour), // the old tool's 172800_netbird_config_backup.txt
		Mail:     offsiteMail,
		Build:    buildOffsite},
	{Name: "clone-standby", Variable: "CRON_CLONE_STANDBY", Ping: "PING_URL_CLONE_STANDBY",
		Schedule: func(s config.Schedule) string { return s.Clone },
		PingURL:  func(m config.Monitor) config.Secret { return m.PingClone },
		Needs:    cloneNeeds,
		Check:    monitor.Check{File: "netbird_standby_clone", Service: "NetBird_Standby_Clone", Label: "clone"},
		MaxAge:   fixedAge(9 * time.Hour), // the old tool's 32400_netbird_standby_clone.txt
		Mail:     cloneMail,
		Build:    buildClone},
	{Name: "change-report", Variable: "CHANGE_REPORT", Ping: "PING_URL_CHANGE_REPORT",
		Schedule: func(s config.Schedule) string { return s.ChangeReport },
		PingURL:  func(m config.Monitor) config.Secret { return m.PingChangeReport },
		Needs:    reportNeeds,
		Check:    monitor.Check{File: "netbird_change_report", Service: "NetBird_Change_Report", Label: "change report"},
		Build:    buildChangeReport},
	{Name: "lint-report", Variable: "LINT_REPORT", Ping: "PING_URL_LINT_REPORT",
		Schedule: func(s config.Schedule) string { return s.LintReport },
		PingURL:  func(m config.Monitor) config.Secret { return m.PingLintReport },
		Needs:    lintNeeds,
		Check:    monitor.Check{File: "netbird_lint_report", Service: "NetBird_Lint_Report", Label: "lint report"},
		Build:    buildLintReport},
	{Name: "netbird-maintenance", Variable: "CRON_NETBIRD_MAINTENANCE", Ping: "PING_URL_NETBIRD_MAINTENANCE",
		Schedule: func(s config.Schedule) string { return s.Maintenance },
		PingURL:  func(m config.Monitor) config.Secret { return m.PingMaintenance },
		Admin:    true,
		Needs: func(c *config.Config) []string {
			if m := c.Maintenance; m.PostureCheck == "" && !bool(m.AllowPing) {
				return []string{"MAINTENANCE_POSTURE_CHECK or MAINTENANCE_ALLOW_PING (what to do)"}
			}
			return nil
		},
		Check:        monitor.Check{File: "netbird_account_maintenance", Service: "NetBird_Account_Maintenance", Label: "maintenance"},
		MaxAge:       func(c *config.Config) time.Duration { return time.Duration(c.Monitor.MaintenanceMaxAge) * time.Second },
		FailuresOnly: func(c *config.Config) bool { return bool(c.Maintenance.DryRun) },
		Mail:         plainMail("netbird-maintenance", func(c *config.Config) config.List { return c.Maintenance.EmailTo }),
		Build:        buildMaintenance},
}

// Lookup is the job its schedule's variable names.
func Lookup(variable string) (Spec, bool) {
	for _, s := range Table {
		if s.Variable == variable {
			return s, true
		}
	}
	return Spec{}, false
}

func fixedAge(d time.Duration) func(*config.Config) time.Duration {
	return func(*config.Config) time.Duration { return d }
}

// Off is a scheduled job that is set but cannot run, and what it lacks.
// The daemon and doctor both judge from it, so they agree.
type Off struct {
	Job      string   // cleanup-ephemeral
	Variable string   // CRON_CLEANUP_EPHEMERAL
	Missing  []string // what to set
	// Default: the schedule is the default, not set by the user (the
	// template leaves CRON_CLEANUP_EPHEMERAL unset): the job simply waits
	// for its token, nothing to warn about.
	Default bool
}

// Text is the line the daemon logs and doctor prints.
func (j Off) Text() string {
	if j.Default {
		return fmt.Sprintf("%s is off until %s is set (its schedule %s is the default)", j.Job, strings.Join(j.Missing, "; "), j.Variable)
	}
	return fmt.Sprintf("%s is off: %s is set but these are missing: %s (set %s= empty to turn the job off)", j.Job, j.Variable, strings.Join(j.Missing, "; "), j.Variable)
}

// JobsOff lists the scheduled jobs that are set but lack what they need.
func JobsOff(cfg *config.Config) []Off {
	var out []Off
	for _, s := range Table {
		if s.Schedule(cfg.Schedule) == "" {
			continue
		}
		var missing, more []string
		if s.Admin && cfg.NetBird.AdminKey == "" {
			missing = append(missing, "NB_ADMIN_API_KEY")
		}
		if s.Needs != nil {
			more = s.Needs(cfg)
		}
		missing = append(missing, more...)
		if len(missing) == 0 {
			continue
		}
		out = append(out, Off{Job: s.Name, Variable: s.Variable, Missing: missing, Default: s.Defaulted && !config.IsSet(s.Variable) && len(more) == 0})
	}
	return out
}
