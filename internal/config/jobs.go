package config

import (
	"fmt"
	"net/url"
	"os"
	"strings"

	"filippo.io/age"
	"github.com/styliteag/birdseye/internal/archive"
	"github.com/styliteag/birdseye/internal/schedule"
	"github.com/styliteag/birdseye/internal/sshremote"
	"github.com/styliteag/birdseye/internal/target"
)

// Schedule is the daemon's cron jobs; an empty spec turns a job off.
type Schedule struct {
	CleanupEphemeral string `envconfig:"CRON_CLEANUP_EPHEMERAL" default:"*/15 * * * *" desc:"when to delete stale ephemeral peers (5-field cron or @hourly; needs NB_ADMIN_API_KEY)"`
	PrunePeers       string `envconfig:"CRON_PRUNE_PEERS" desc:"when to delete peers offline for PRUNE_OFFLINE_DAYS (empty = never; needs NB_ADMIN_API_KEY)"`
	Maintenance      string `envconfig:"CRON_NETBIRD_MAINTENANCE" desc:"when to run posture add and allow-ping (empty = never; needs NB_ADMIN_API_KEY)"`
	Backup           string `envconfig:"CRON_BACKUP_NETBIRD" desc:"when to run the volume backup and the API export, e.g. 0 3 * * 0 (empty = never)"`
	Mirror           string `envconfig:"CRON_MIRROR_ACCOUNT" desc:"when to run the account mirror (birdseye mirror; a dry run unless MIRROR_APPLY), e.g. 0 * * * * (empty = never)"`
	Clone            string `envconfig:"CRON_CLONE_STANDBY" desc:"when to refresh the standby clone (clone run: stage, install every target, drill), e.g. 0 4 * * * (empty = never)"`
	Offsite          string `envconfig:"CRON_BACKUP_OFFSITE" desc:"when to ship the configuration archive over SSH (backup offsite), e.g. 30 2 * * * (empty = never)"`
	ChangeReport     string `envconfig:"CHANGE_REPORT" desc:"when to mail the report of configuration changes since the previous one, e.g. 0 8 * * 1 (empty = never)"`
}

// Backup is what the volume backup archives and how it is protected.
type Backup struct {
	Paths    string `envconfig:"BACKUP_PATHS" desc:"paths of NetBird's volumes inside the container, comma-separated, wildcards allowed"`
	Exclude  string `envconfig:"BACKUP_EXCLUDE" desc:"file-name wildcards left out of the volume archive (case-insensitive, at any depth)"`
	Label    string `envconfig:"BACKUP_LABEL" desc:"tag in archive names and mail subjects, e.g. prod"`
	Password Secret `envconfig:"BACKUP_ZIP_PASSWORD" desc:"passphrase of the archives (at least 12 characters; keep it offline)"`
	EmailTo  string `envconfig:"BACKUP_EMAIL_TO" desc:"recipients of the volume backup (empty = SMTP_TO)"`
	ExportTo string `envconfig:"EXPORT_EMAIL_TO" desc:"recipients of the API export (empty = BACKUP_EMAIL_TO, then SMTP_TO)"`
	MaxMB    Count  `envconfig:"BACKUP_MAX_ATTACHMENT_MB" default:"20" desc:"largest attachment, in MiB as encoded in the mail (base64); above it a FAILED mail with the sizes is sent"`
	Dir      string `envconfig:"BACKUP_DIR" desc:"directory (a mounted volume) that also keeps every archive (empty = mail only)"`
	Keep     Count  `envconfig:"BACKUP_KEEP" default:"8" desc:"archives of each kind kept in BACKUP_DIR and each target (unless BACKUP_KEEP_DAILY/_WEEKLY/_MONTHLY are set)"`
	// KeepDaily, KeepWeekly and KeepMonthly are grandfather-father-son.
	KeepDaily   Count `envconfig:"BACKUP_KEEP_DAILY" default:"0" desc:"keep the newest archive of each of the last N days (with _WEEKLY and _MONTHLY replaces BACKUP_KEEP)"`
	KeepWeekly  Count `envconfig:"BACKUP_KEEP_WEEKLY" default:"0" desc:"keep the newest archive of each of the last N ISO weeks"`
	KeepMonthly Count `envconfig:"BACKUP_KEEP_MONTHLY" default:"0" desc:"keep the newest archive of each of the last N months"`
	// Encryption is the archive format: zip (AES, 7-Zip opens it) or age.
	Encryption    string `envconfig:"BACKUP_ENCRYPTION" default:"zip" desc:"zip (AES-256 zip, opened with 7-Zip and BACKUP_ZIP_PASSWORD) or age (a tar.gz encrypted with age: names hidden too; to BACKUP_AGE_RECIPIENTS, else with BACKUP_ZIP_PASSWORD as passphrase)"`
	Targets       string `envconfig:"BACKUP_TARGETS" desc:"more places each archive goes to, comma-separated: file:///dir (a mounted disk), sftp://user@host[:port]/dir or s3://bucket/prefix; each keeps BACKUP_KEEP of each kind"`
	SSHKey        string `envconfig:"BACKUP_SSH_KEY" desc:"private key for sftp:// targets (a path in the container; empty = ~/.ssh/id_ed25519, id_ecdsa, id_rsa)"`
	SSHKnownHosts string `envconfig:"BACKUP_SSH_KNOWN_HOSTS" desc:"known-hosts file for sftp:// targets (empty or not writable = known_hosts in the state directory)"`
	SSHStrict     string `envconfig:"BACKUP_SSH_STRICT" default:"accept-new" desc:"host key policy of sftp:// targets: yes, accept-new or no"`
	S3Endpoint    string `envconfig:"BACKUP_S3_ENDPOINT" desc:"endpoint of s3:// targets, e.g. https://s3.eu-central-1.amazonaws.com or http://minio:9000 (empty = AWS)"`
	S3Region      string `envconfig:"BACKUP_S3_REGION" default:"us-east-1" desc:"region of s3:// targets"`
	S3PathStyle   Bool   `envconfig:"BACKUP_S3_PATH_STYLE" default:"false" desc:"address buckets as endpoint/bucket (MinIO, Garage, versitygw) instead of bucket.endpoint"`
	S3AccessKey   string `envconfig:"BACKUP_S3_ACCESS_KEY_ID" desc:"access key of s3:// targets"`
	S3SecretKey   Secret `envconfig:"BACKUP_S3_SECRET_ACCESS_KEY" desc:"secret key of s3:// targets"`
	HideNames     Bool   `envconfig:"BACKUP_ZIP_HIDE_NAMES" default:"false" desc:"zip: put the files in one inner tar so that their names are encrypted too (7z x, then tar xf)"`
	Verify        Bool   `envconfig:"BACKUP_VERIFY" default:"true" desc:"open each new volume archive as a restore would (checksums, SQLite integrity, the store's counts against the live server) and put the verdict in the mail; a failed check fails the backup"`
	AgeRecipients string `envconfig:"BACKUP_AGE_RECIPIENTS" desc:"age1… public keys or SSH public keys (ssh-ed25519 …), comma-separated: with BACKUP_ENCRYPTION=age the backups open only with their private keys, which this host need not have"`
}

// TargetList parses BACKUP_TARGETS; the state directory holds the known
// hosts when BACKUP_SSH_KNOWN_HOSTS does not.
func (b Backup) TargetList(stateDir string) ([]target.Target, error) {
	strict := b.SSHStrict
	if strings.TrimSpace(strict) == "" {
		strict = "accept-new"
	}
	if err := hostKeyPolicyError("BACKUP_SSH_STRICT", strict); err != nil {
		return nil, err
	}
	set := target.Settings{
		SSH: target.SSH{KeyFile: b.SSHKey, KnownHosts: sshremote.KnownHostsFile(b.SSHKnownHosts, stateDir), Strict: strict},
		S3: target.S3Config{Endpoint: b.S3Endpoint, Region: b.S3Region, PathStyle: bool(b.S3PathStyle), AccessKey: b.S3AccessKey,
			SecretKey: b.S3SecretKey.Reveal()},
	}
	var out []target.Target
	var errs []error
	for i, raw := range SplitComma(b.Targets) {
		t, err := target.Parse(raw, set)
		if err != nil {
			errs = append(errs, &Error{Var: "BACKUP_TARGETS", Msg: fmt.Sprintf("entry %d %v", i+1, err)})
			continue
		}
		out = append(out, t)
	}
	return out, Join(errs...)
}

// Age reports whether the archives are age-encrypted.
func (b Backup) Age() bool { return b.Encryption == "age" }

// Recipients parses BACKUP_AGE_RECIPIENTS.
func (b Backup) Recipients() ([]age.Recipient, error) {
	r, err := archive.ParseRecipients(b.AgeRecipients)
	if err != nil {
		return nil, &Error{Var: "BACKUP_AGE_RECIPIENTS", Msg: err.Error() + "; expected e.g. age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p or ssh-ed25519 AAAA…"}
	}
	return r, nil
}

// CheckKey is what the archives need: recipients with age, else the
// passphrase (CheckPassword).
func (b Backup) CheckKey() error {
	if b.Encryption != "zip" && b.Encryption != "age" {
		return &Error{Var: "BACKUP_ENCRYPTION", Msg: fmt.Sprintf("=%q is not a format; expected zip or age", b.Encryption)}
	}
	if b.Age() && strings.TrimSpace(b.AgeRecipients) != "" {
		_, err := b.Recipients()
		return err
	}
	return b.CheckPassword()
}

// SplitComma splits a comma-separated setting, trimming spaces and dropping empties.
func SplitComma(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// CheckPassword is the rule for BACKUP_ZIP_PASSWORD.
func (b Backup) CheckPassword() error {
	switch n := len([]rune(b.Password.Reveal())); {
	case n == 0:
		return &Error{Var: "BACKUP_ZIP_PASSWORD", Msg: "is not set (nor BACKUP_ZIP_PASSWORD_FILE); expected a passphrase of at least 12 characters"}
	case n < 12:
		return &Error{Var: "BACKUP_ZIP_PASSWORD", Msg: fmt.Sprintf("has %d characters; expected at least 12", n)}
	}
	return nil
}

// Maintenance is what CRON_NETBIRD_MAINTENANCE does.
type Maintenance struct {
	PostureCheck string `envconfig:"MAINTENANCE_POSTURE_CHECK" desc:"posture check to attach (by name); empty = skip that step"`
	PostureRule  string `envconfig:"MAINTENANCE_POSTURE_RULE" desc:"policy to attach it to (by name); empty = all policies"`
	AllowPing    Bool   `envconfig:"MAINTENANCE_ALLOW_PING" default:"false" desc:"then reconcile the ICMP companion policies"`
	DryRun       Bool   `envconfig:"MAINTENANCE_DRY_RUN" default:"false" desc:"report what the maintenance would change, change nothing"`
	EmailTo      string `envconfig:"MAINTENANCE_EMAIL_TO" desc:"where a failed maintenance is mailed (empty = SMTP_TO)"`
}

// Prune is what `peers prune` and CRON_PRUNE_PEERS delete.
type Prune struct {
	ProtectGroups Globs `envconfig:"PRUNE_PROTECT_GROUPS" default:"" desc:"group-name globs whose peers are never pruned"`
	OfflineDays   Count `envconfig:"PRUNE_OFFLINE_DAYS" default:"90" desc:"CRON_PRUNE_PEERS deletes peers offline for more days than this"`
	Max           Count `envconfig:"PRUNE_MAX" default:"20" desc:"CRON_PRUNE_PEERS deletes nothing when more peers than this qualify"`
}

func (s Schedule) validate() error {
	for _, j := range []struct{ name, spec string }{{"CRON_CLEANUP_EPHEMERAL", s.CleanupEphemeral}, {"CRON_PRUNE_PEERS", s.PrunePeers}, {"CRON_NETBIRD_MAINTENANCE", s.Maintenance}, {"CRON_BACKUP_NETBIRD", s.Backup}, {"CRON_BACKUP_OFFSITE", s.Offsite}, {"CRON_MIRROR_ACCOUNT", s.Mirror}, {"CRON_CLONE_STANDBY", s.Clone}, {"CHANGE_REPORT", s.ChangeReport}} {
		if strings.TrimSpace(j.spec) == "" {
			continue
		}
		if _, err := schedule.Parse(j.spec); err != nil {
			return &Error{Var: j.name, Msg: fmt.Sprintf("=%q is not a schedule (%v); expected five fields, minute hour day month weekday, such as */15 * * * * or 0 3 * * 0, or @hourly/@daily/@weekly", j.spec, err)}
		}
	}
	return nil
}

// JobOff is a scheduled job that is set but cannot run, and what it lacks.
// The daemon and doctor both judge from it, so they agree.
type JobOff struct {
	Job      string   // cleanup-ephemeral
	Variable string   // CRON_CLEANUP_EPHEMERAL
	Missing  []string // what to set
	// Default: the schedule is the default, not set by the user (the
	// template leaves CRON_CLEANUP_EPHEMERAL unset): the job simply waits
	// for its token, nothing to warn about.
	Default bool
}

// Text is the line the daemon logs and doctor prints.
func (j JobOff) Text() string {
	if j.Default {
		return fmt.Sprintf("%s is off until %s is set (its schedule %s is the default)", j.Job, strings.Join(j.Missing, "; "), j.Variable)
	}
	return fmt.Sprintf("%s is off: %s is set but these are missing: %s (set %s= empty to turn the job off)", j.Job, j.Variable, strings.Join(j.Missing, "; "), j.Variable)
}

// JobsOff lists the scheduled jobs that are set but lack what they need.
func (c *Config) JobsOff() []JobOff {
	var out []JobOff
	admin := c.NetBird.AdminKey != ""
	needAdmin := func(job, variable, spec string, isDefault bool, more ...string) {
		if spec == "" {
			return
		}
		var missing []string
		if !admin {
			missing = append(missing, "NB_ADMIN_API_KEY")
		}
		missing = append(missing, more...)
		if len(missing) > 0 {
			out = append(out, JobOff{Job: job, Variable: variable, Missing: missing, Default: isDefault && len(more) == 0})
		}
	}
	s := c.Schedule
	_, cleanupSet := os.LookupEnv("CRON_CLEANUP_EPHEMERAL")
	needAdmin("cleanup-ephemeral", "CRON_CLEANUP_EPHEMERAL", s.CleanupEphemeral, !cleanupSet)
	needAdmin("prune-peers", "CRON_PRUNE_PEERS", s.PrunePeers, false)
	var what []string
	if m := c.Maintenance; m.PostureCheck == "" && !bool(m.AllowPing) {
		what = append(what, "MAINTENANCE_POSTURE_CHECK or MAINTENANCE_ALLOW_PING (what to do)")
	}
	needAdmin("netbird-maintenance", "CRON_NETBIRD_MAINTENANCE", s.Maintenance, false, what...)
	if s.Backup != "" {
		if missing := c.backupMissing(); len(missing) > 0 {
			out = append(out, JobOff{Job: "backup", Variable: "CRON_BACKUP_NETBIRD", Missing: missing})
		}
	}
	if s.Mirror != "" {
		var missing []string
		if c.Mirror.URL == "" {
			missing = append(missing, "MIRROR_URL")
		}
		if c.Mirror.APIKey == "" {
			missing = append(missing, "MIRROR_API_KEY")
		}
		if len(missing) > 0 {
			out = append(out, JobOff{Job: "mirror-account", Variable: "CRON_MIRROR_ACCOUNT", Missing: missing})
		}
	}
	if s.Offsite != "" {
		if missing := c.Offsite.Missing(); len(missing) > 0 {
			out = append(out, JobOff{Job: "backup-offsite", Variable: "CRON_BACKUP_OFFSITE", Missing: missing})
		}
	}
	if s.Clone != "" {
		missing := c.Clone.Missing()
		if strings.TrimSpace(c.NetBird.URL) == "" && strings.TrimSpace(c.Clone.PrimaryHost) == "" {
			missing = append(missing, "NB_URL or CLONE_PRIMARY_HOST (the primary's name)")
		}
		if len(missing) > 0 {
			out = append(out, JobOff{Job: "clone-standby", Variable: "CRON_CLONE_STANDBY", Missing: missing})
		}
	}
	return out
}

// backupMissing names what CRON_BACKUP_NETBIRD lacks: the password, a
// source, and a destination (mail or BACKUP_DIR).
func (c *Config) backupMissing() []string {
	var missing []string
	b := c.Backup
	if b.Password == "" && !(b.Age() && strings.TrimSpace(b.AgeRecipients) != "") {
		missing = append(missing, "BACKUP_ZIP_PASSWORD (or BACKUP_ENCRYPTION=age with BACKUP_AGE_RECIPIENTS)")
	}
	if b.Paths == "" && c.NetBird.AdminKey == "" {
		missing = append(missing, "BACKUP_PATHS or NB_ADMIN_API_KEY")
	}
	mail := c.SMTP.Host != "" && c.SMTP.From != "" && (b.EmailTo != "" || b.ExportTo != "" || len(c.SMTP.To) > 0)
	if !mail && b.Dir == "" {
		missing = append(missing, "SMTP_HOST, SMTP_FROM and a recipient (BACKUP_EMAIL_TO/EXPORT_EMAIL_TO/SMTP_TO), or BACKUP_DIR")
	}
	return missing
}

// Monitor is how the scheduled jobs tell monitoring how they went.
type Monitor struct {
	CheckmkDir        string `envconfig:"CHECKMK_SPOOL_DIR" desc:"Checkmk agent spool directory (mounted); every scheduled job writes its local check there (empty = none)"`
	MaintenanceMaxAge Count  `envconfig:"MAINTENANCE_SPOOL_MAX_AGE" default:"7200" desc:"seconds after which Checkmk calls the maintenance check stale"`
	PingStyle         string `envconfig:"PING_STYLE" default:"healthchecks" desc:"healthchecks (pings start, success and fail) or uptime-kuma (a push monitor: up or down)"`
	PingCleanup       Secret `envconfig:"PING_URL_CLEANUP_EPHEMERAL" desc:"ping URL of the ephemeral cleanup (empty = none)"`
	PingPrune         Secret `envconfig:"PING_URL_PRUNE_PEERS" desc:"ping URL of the peer pruning (empty = none)"`
	PingMaintenance   Secret `envconfig:"PING_URL_NETBIRD_MAINTENANCE" desc:"ping URL of the account maintenance (empty = none)"`
	PingBackup        Secret `envconfig:"PING_URL_BACKUP_NETBIRD" desc:"ping URL of the weekly backup (empty = none)"`
	PingChangeReport  Secret `envconfig:"PING_URL_CHANGE_REPORT" desc:"ping URL of the change report (empty = none)"`
	PingOffsite       Secret `envconfig:"PING_URL_BACKUP_OFFSITE" desc:"ping URL of the offsite backup (empty = none)"`
	PingMirror        Secret `envconfig:"PING_URL_MIRROR_ACCOUNT" desc:"ping URL of the account mirror (empty = none)"`
	PingClone         Secret `envconfig:"PING_URL_CLONE_STANDBY" desc:"ping URL of the standby clone (empty = none)"`
}

// PingURL is the ping URL of a job by its schedule's variable.
func (m Monitor) PingURL(variable string) string {
	return map[string]Secret{"CRON_CLEANUP_EPHEMERAL": m.PingCleanup, "CRON_PRUNE_PEERS": m.PingPrune,
		"CRON_NETBIRD_MAINTENANCE": m.PingMaintenance, "CRON_BACKUP_NETBIRD": m.PingBackup, "CHANGE_REPORT": m.PingChangeReport, "CRON_BACKUP_OFFSITE": m.PingOffsite, "CRON_MIRROR_ACCOUNT": m.PingMirror, "CRON_CLONE_STANDBY": m.PingClone}[variable].Reveal()
}

func (m Monitor) validate() error {
	var errs []error
	if m.PingStyle != "healthchecks" && m.PingStyle != "uptime-kuma" {
		errs = append(errs, &Error{Var: "PING_STYLE", Msg: fmt.Sprintf("=%q is not a ping style; expected healthchecks or uptime-kuma", m.PingStyle)})
	}
	for _, v := range []struct {
		name string
		url  Secret
	}{{"PING_URL_CLEANUP_EPHEMERAL", m.PingCleanup}, {"PING_URL_PRUNE_PEERS", m.PingPrune}, {"PING_URL_NETBIRD_MAINTENANCE", m.PingMaintenance},
		{"PING_URL_BACKUP_NETBIRD", m.PingBackup}, {"PING_URL_CHANGE_REPORT", m.PingChangeReport}, {"PING_URL_BACKUP_OFFSITE", m.PingOffsite}, {"PING_URL_MIRROR_ACCOUNT", m.PingMirror}, {"PING_URL_CLONE_STANDBY", m.PingClone}} {
		if v.url == "" {
			continue
		}
		if u, err := url.Parse(v.url.Reveal()); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			// The URL holds the check's key: it is not echoed.
			errs = append(errs, &Error{Var: v.name, Msg: "is not an http(s) URL; expected e.g. https://hc-ping.com/<uuid> or https://kuma.example.com/api/push/<token>"})
		}
	}
	if m.MaintenanceMaxAge == 0 {
		errs = append(errs, &Error{Var: "MAINTENANCE_SPOOL_MAX_AGE", Msg: "=0; expected seconds, e.g. 7200"})
	}
	return Join(errs...)
}
