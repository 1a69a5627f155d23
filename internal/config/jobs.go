package config

import (
	"fmt"
	"net/url"
	"reflect"
	"regexp"
	"strings"

	"filippo.io/age"

	"github.com/styliteag/birdseye/internal/pgdsn"
	"github.com/styliteag/birdseye/internal/schedule"
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
	LintReport       string `envconfig:"LINT_REPORT" desc:"when to mail birdseye lint's report, with what is new and resolved since the previous one, e.g. 0 7 * * 1 (empty = never)"`
}

// Backup is what the volume backup archives and how it is protected.
type Backup struct {
	Paths    List   `envconfig:"BACKUP_PATHS" desc:"paths of NetBird's volumes inside the container, comma-separated, wildcards allowed"`
	Exclude  List   `envconfig:"BACKUP_EXCLUDE" desc:"file-name wildcards left out of the volume archive (case-insensitive, at any depth)"`
	Label    string `envconfig:"BACKUP_LABEL" desc:"tag in archive names and mail subjects, e.g. prod"`
	Password Secret `envconfig:"BACKUP_ZIP_PASSWORD" desc:"passphrase of the archives (at least 12 characters; keep it offline)"`
	EmailTo  List   `envconfig:"BACKUP_EMAIL_TO" desc:"recipients of the volume backup (empty = SMTP_TO)"`
	ExportTo List   `envconfig:"EXPORT_EMAIL_TO" desc:"recipients of the API export (empty = BACKUP_EMAIL_TO, then SMTP_TO)"`
	MaxMB    Count  `envconfig:"BACKUP_MAX_ATTACHMENT_MB" default:"20" desc:"largest attachment, in MiB as encoded in the mail (base64); above it a FAILED mail with the sizes is sent"`
	Dir      string `envconfig:"BACKUP_DIR" desc:"directory (a mounted volume) that also keeps every archive (empty = mail only)"`
	Keep     Count  `envconfig:"BACKUP_KEEP" default:"8" desc:"archives of each kind kept in BACKUP_DIR and each target (unless BACKUP_KEEP_DAILY/_WEEKLY/_MONTHLY are set)"`
	// KeepDaily, KeepWeekly and KeepMonthly are grandfather-father-son.
	KeepDaily   Count `envconfig:"BACKUP_KEEP_DAILY" default:"0" desc:"keep the newest archive of each of the last N days (with _WEEKLY and _MONTHLY replaces BACKUP_KEEP)"`
	KeepWeekly  Count `envconfig:"BACKUP_KEEP_WEEKLY" default:"0" desc:"keep the newest archive of each of the last N ISO weeks"`
	KeepMonthly Count `envconfig:"BACKUP_KEEP_MONTHLY" default:"0" desc:"keep the newest archive of each of the last N months"`
	// Encryption is the archive format: zip (AES, 7-Zip opens it) or age.
	Encryption    string `envconfig:"BACKUP_ENCRYPTION" default:"zip" desc:"zip (AES-256 zip, opened with 7-Zip and BACKUP_ZIP_PASSWORD) or age (a tar.gz encrypted with age: names hidden too; to BACKUP_AGE_RECIPIENTS, else with BACKUP_ZIP_PASSWORD as passphrase)"`
	Targets       List   `envconfig:"BACKUP_TARGETS" desc:"more places each archive goes to, comma-separated: file:///dir (a mounted disk), sftp://user@host[:port]/dir or s3://bucket/prefix; each keeps BACKUP_KEEP of each kind"`
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
	// NetBird's store on Postgres: dumped in its own container.
	Postgres          string `envconfig:"BACKUP_POSTGRES" desc:"the Postgres container (its name, e.g. netbird-postgres-1) whose databases go into the volume backup, dumped by its own pg_dump through the Docker engine (empty = none)"`
	PostgresDatabases List   `envconfig:"BACKUP_POSTGRES_DATABASES" desc:"the databases dumped, comma-separated: names (reached inside the container as BACKUP_POSTGRES_USER) or postgres:// DSNs (empty = the container's POSTGRES_DB)"`
	PostgresUser      string `envconfig:"BACKUP_POSTGRES_USER" desc:"the role pg_dump connects as inside the container (empty = its POSTGRES_USER, else postgres)"`
	PostgresPassword  Secret `envconfig:"BACKUP_POSTGRES_PASSWORD" desc:"that role's password when the container asks for one (given to pg_dump as PGPASSWORD, never on its command line)"`
	DockerSocket      string `envconfig:"BACKUP_DOCKER_SOCKET" default:"/var/run/docker.sock" desc:"the Docker engine's socket, mounted into birdseye's container, through which pg_dump runs in BACKUP_POSTGRES"`
}

// Age reports whether the archives are age-encrypted.
func (b Backup) Age() bool { return b.Encryption == "age" }

// Recipients parses BACKUP_AGE_RECIPIENTS.
func (b Backup) Recipients() ([]age.Recipient, error) {
	r, err := parseRecipients(b.AgeRecipients)
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
	EmailTo      List   `envconfig:"MAINTENANCE_EMAIL_TO" desc:"where a failed maintenance is mailed (empty = BACKUP_EMAIL_TO, then SMTP_TO)"`
}

// Prune is what `peers prune` and CRON_PRUNE_PEERS delete.
type Prune struct {
	ProtectGroups Globs `envconfig:"PRUNE_PROTECT_GROUPS" default:"" desc:"group-name globs whose peers are never pruned"`
	OfflineDays   Count `envconfig:"PRUNE_OFFLINE_DAYS" default:"90" desc:"CRON_PRUNE_PEERS deletes peers offline for more days than this"`
	Max           Count `envconfig:"PRUNE_MAX" default:"20" desc:"CRON_PRUNE_PEERS deletes nothing when more peers than this qualify"`
}

// validate checks every schedule field (each a CRON_… or CHANGE_REPORT
// spec): a new job's schedule is checked without a list to extend.
func (s Schedule) validate() error {
	v := reflect.ValueOf(s)
	for i := range v.NumField() {
		name, spec := v.Type().Field(i).Tag.Get("envconfig"), v.Field(i).String()
		if strings.TrimSpace(spec) == "" {
			continue
		}
		if _, err := schedule.Parse(spec); err != nil {
			return &Error{Var: name, Msg: fmt.Sprintf("=%q is not a schedule (%v); expected five fields, minute hour day month weekday, such as */15 * * * * or 0 3 * * 0, or @hourly/@daily/@weekly", spec, err)}
		}
	}
	return nil
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
	PingLintReport    Secret `envconfig:"PING_URL_LINT_REPORT" desc:"ping URL of the lint report (empty = none)"`
	PingOffsite       Secret `envconfig:"PING_URL_BACKUP_OFFSITE" desc:"ping URL of the offsite backup (empty = none)"`
	PingMirror        Secret `envconfig:"PING_URL_MIRROR_ACCOUNT" desc:"ping URL of the account mirror (empty = none)"`
	PingClone         Secret `envconfig:"PING_URL_CLONE_STANDBY" desc:"ping URL of the standby clone (empty = none)"`
}

func (m Monitor) validate() error {
	var errs []error
	if m.PingStyle != "healthchecks" && m.PingStyle != "uptime-kuma" {
		errs = append(errs, &Error{Var: "PING_STYLE", Msg: fmt.Sprintf("=%q is not a ping style; expected healthchecks or uptime-kuma", m.PingStyle)})
	}
	// Every PING_URL_<JOB> field: a new job's ping is checked without a
	// list to extend.
	mv := reflect.ValueOf(m)
	for i := range mv.NumField() {
		f := mv.Type().Field(i)
		name := f.Tag.Get("envconfig")
		u, isSecret := mv.Field(i).Interface().(Secret)
		if !isSecret || !strings.HasPrefix(name, "PING_URL_") || u == "" {
			continue
		}
		v := struct {
			name string
			url  Secret
		}{name, u}
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

// checkPostgres checks BACKUP_POSTGRES_DATABASES: names, or DSNs as the
// driver reads them.
func (b Backup) checkPostgres() error {
	if b.Postgres == "" {
		if len(b.PostgresDatabases) > 0 {
			return &Error{Var: "BACKUP_POSTGRES_DATABASES", Msg: "is set but BACKUP_POSTGRES is not; expected the Postgres container to dump them in"}
		}
		return nil
	}
	for _, d := range b.PostgresDatabases {
		if pgdsn.Is(d) {
			if err := pgdsn.Check(d); err != nil {
				return &Error{Var: "BACKUP_POSTGRES_DATABASES", Msg: fmt.Sprintf("has %q, which cannot be read as a Postgres DSN (%s)", pgdsn.Redact(d), strings.TrimPrefix(err.Error(), "pq: "))}
			}
		} else if !dbName.MatchString(d) {
			return &Error{Var: "BACKUP_POSTGRES_DATABASES", Msg: fmt.Sprintf("has %q; expected database names (e.g. netbird) or postgres:// DSNs", d)}
		}
	}
	return nil
}

var dbName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_$-]*$`)
