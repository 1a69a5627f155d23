package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// setEnv gives a test a clean environment for every variable Config reads.
func setEnv(t *testing.T, kv map[string]string) {
	t.Helper()
	for _, v := range Vars() {
		t.Setenv(v.Name, "")
		os.Unsetenv(v.Name)
		t.Setenv(v.Name+"_FILE", "")
		os.Unsetenv(v.Name + "_FILE")
	}
	for k, v := range kv {
		t.Setenv(k, v)
	}
}

func minimal() map[string]string {
	return map[string]string{"NB_URL": "https://nb.example.com", "NB_API_KEY": "nbp_secret"}
}

func with(extra map[string]string) map[string]string {
	m := minimal()
	for k, v := range extra {
		m[k] = v
	}
	return m
}

func TestDefaultsAreTheOldToolsDefaults(t *testing.T) {
	setEnv(t, minimal())
	c, err := Load()
	require.NoError(t, err)
	require.Equal(t, "/var/lib/birdseye/state.json", c.Forwarder.StateFile)
	require.Equal(t, 60*time.Second, c.Forwarder.PollInterval.D())
	require.Equal(t, 300*time.Second, c.Forwarder.BackoffCap.D())
	require.Equal(t, 10*time.Minute, c.Forwarder.OutageAlertAfter.D())
	require.Equal(t, Count(200), c.Forwarder.MaxCatchup)
	require.Equal(t, Count(1000), c.Forwarder.BacklogWarnThreshold)
	require.Equal(t, Count(0), c.Forwarder.Backfill)
	require.Equal(t, "*", c.Stdout.Include.Raw)
	require.Len(t, c.Stdout.Include.Globs, 1)
	require.Empty(t, c.Stdout.Exclude.Globs)
	require.Equal(t, "UTC", c.Log.TZ.Name)
	require.Equal(t, "info", c.Log.Level)
	require.Equal(t, "text", c.Log.Format)
	require.Equal(t, Secret("nbp_secret"), c.NetBird.APIKey)
	require.Equal(t, Count(10000), c.Forwarder.SinkQueueMax)
	require.False(t, c.Mattermost.Enabled())
	require.Equal(t, "birdseye", c.Mattermost.Username)
	require.Equal(t, "*", c.Mattermost.Include.Raw)
	require.Empty(t, c.Mattermost.Exclude.Globs)
	require.False(t, bool(c.Mattermost.StartupTest))
}

func TestMattermostSettings(t *testing.T) {
	p := filepath.Join(t.TempDir(), "hook")
	require.NoError(t, os.WriteFile(p, []byte("https://mm.example.com/hooks/abc123\n"), 0o600))
	setEnv(t, with(map[string]string{"MATTERMOST_WEBHOOK_URL_FILE": p, "MATTERMOST_USERNAME": "BirdsEye", "MATTERMOST_CHANNEL": "audit",
		"MATTERMOST_ICON_URL": "https://example.com/i.png", "MATTERMOST_INCLUDE": "policy.*", "MATTERMOST_EXCLUDE": "policy.delete", "MATTERMOST_STARTUP_TEST": "yes", "SINK_QUEUE_MAX": "50"}))
	c, err := Load()
	require.NoError(t, err)
	require.True(t, c.Mattermost.Enabled())
	require.Equal(t, "https://mm.example.com/hooks/abc123", c.Mattermost.WebhookURL.Reveal())
	require.Equal(t, "BirdsEye", c.Mattermost.Username)
	require.Equal(t, "audit", c.Mattermost.Channel)
	require.True(t, bool(c.Mattermost.StartupTest))
	require.Equal(t, Count(50), c.Forwarder.SinkQueueMax)
	require.Len(t, c.Mattermost.Exclude.Globs, 1)
}

func TestAnInvalidWebhookURLIsNotEchoed(t *testing.T) {
	setEnv(t, with(map[string]string{"MATTERMOST_WEBHOOK_URL": "mm.example.com/hooks/s3cr3th00k"}))
	_, err := Load()
	require.Error(t, err)
	require.NotContains(t, err.Error(), "s3cr3th00k")
}

func TestDecimalsAndExplicitValues(t *testing.T) {
	setEnv(t, with(map[string]string{
		"POLL_INTERVAL": "0.5", "BACKOFF_CAP_SECONDS": "2.25", "OUTAGE_ALERT_MINUTES": "0.05",
		"MAX_CATCHUP": "7", "BACKLOG_WARN_THRESHOLD": "0", "BACKFILL": "25", "STATE_FILE": "/tmp/s.json",
		"STDOUT_INCLUDE": "policy.*, user.*", "STDOUT_EXCLUDE": "user.join", "TZ": "Europe/Berlin",
		"LOG_LEVEL": "DEBUG", "LOG_FORMAT": "json",
	}))
	c, err := Load()
	require.NoError(t, err)
	require.Equal(t, 500*time.Millisecond, c.Forwarder.PollInterval.D())
	require.Equal(t, 2250*time.Millisecond, c.Forwarder.BackoffCap.D())
	require.Equal(t, 3*time.Second, c.Forwarder.OutageAlertAfter.D())
	require.Equal(t, Count(7), c.Forwarder.MaxCatchup)
	require.Equal(t, Count(0), c.Forwarder.BacklogWarnThreshold)
	require.Equal(t, Count(25), c.Forwarder.Backfill)
	require.Equal(t, "/tmp/s.json", c.Forwarder.StateFile)
	require.Len(t, c.Stdout.Include.Globs, 2)
	require.Len(t, c.Stdout.Exclude.Globs, 1)
	require.Equal(t, "Europe/Berlin", c.Log.TZ.Loc.String())
}

func TestEmptyNumbersKeepTheirDefaultsButEmptyGlobsMeanNothing(t *testing.T) {
	setEnv(t, with(map[string]string{"POLL_INTERVAL": "", "MAX_CATCHUP": " ", "STDOUT_INCLUDE": "", "TZ": ""}))
	c, err := Load()
	require.NoError(t, err)
	require.Equal(t, 60*time.Second, c.Forwarder.PollInterval.D())
	require.Equal(t, Count(200), c.Forwarder.MaxCatchup)
	require.Empty(t, c.Stdout.Include.Globs, "STDOUT_INCLUDE= set but empty selects nothing, as in the old tool")
	require.Equal(t, time.UTC.String(), c.Log.TZ.Loc.String())
}

func TestBadValuesNameTheVariableAndTheExpectedForm(t *testing.T) {
	cases := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"NB_URL": ""}, "config: NB_URL is not set; expected the management URL"},
		{map[string]string{"NB_URL": "ftp://x"}, `config: NB_URL="ftp://x" has scheme "ftp", not http or https`},
		{map[string]string{"NB_URL": "https://"}, `config: NB_URL="https://" has no host name`},
		{map[string]string{"NB_URL": "https://nb.example.com/?x=1"}, `has a query or fragment`},
		{map[string]string{"NB_API_KEY": ""}, "config: NB_API_KEY is not set (nor NB_API_KEY_FILE)"},
		{map[string]string{"NB_URL": "https://nb.example.com:99999"}, `config: NB_URL="https://nb.example.com:99999" has port 99999, not 1 to 65535`},
		{map[string]string{"EVENTS_SOURCE": "db", "EVENTS_DB": "/no/such/events.db"}, `config: EVENTS_DB="/no/such/events.db" is not a file here; expected the path of NetBird's events.db in the container`},
		{map[string]string{"EVENTS_SOURCE": "db", "EVENTS_DB": "postgres://birdseye:pg-s3cret@db/netbird?sslmode=sometimes"}, `config: EVENTS_DB="postgres://birdseye@db/netbird?sslmode=sometimes" cannot be read as a Postgres DSN (`},
		{map[string]string{"EVENTS_SOURCE": "db", "NB_ACTIVITY_EVENT_POSTGRES_DSN": "/var/lib/netbird/events.db"}, `config: NB_ACTIVITY_EVENT_POSTGRES_DSN is not a Postgres DSN; expected e.g. postgres://birdseye:PASSWORD@postgres:5432/netbird`},
		{map[string]string{"EVENTS_SOURCE": "db", "EVENTS_DB": "postgres://db/netbird", "EVENTS_DB_GAP_WAIT": "0.5"}, `config: EVENTS_DB_GAP_WAIT=500ms is too short to wait for an insert that commits late; expected at least 1 (seconds)`},
		{map[string]string{"POLL_INTERVAL": "abc"}, `config: POLL_INTERVAL="abc" is not a number; expected seconds as a positive decimal number, e.g. 60 or 0.5`},
		{map[string]string{"POLL_INTERVAL": "0"}, `config: POLL_INTERVAL="0" must be greater than 0`},
		{map[string]string{"WEBHOOK_URL": "siem.example.com/k3y-secret"}, `config: WEBHOOK_URL is not an http(s) URL; expected e.g. https://siem.example.com/ingest/netbird`},
		{map[string]string{"WEBHOOK_URL": "https://siem.example.com/in", "WEBHOOK_FORMAT": "xml"}, `config: WEBHOOK_FORMAT="xml" is not a format; expected json, ndjson or cloudevents`},
		{map[string]string{"WEBHOOK_URL": "https://siem.example.com/in", "WEBHOOK_STYLE": "svix"}, `config: WEBHOOK_STYLE="svix" is not a style; expected birdseye or standard`},
		{map[string]string{"WEBHOOK_URL": "https://siem.example.com/in", "WEBHOOK_STYLE": "standard"}, `config: WEBHOOK_SECRET is not set; WEBHOOK_STYLE=standard signs every request: expected whsec_<base64 key>`},
		{map[string]string{"WEBHOOK_URL": "https://siem.example.com/in", "WEBHOOK_STYLE": "standard", "WEBHOOK_SECRET": "hunter2-plain"}, `config: WEBHOOK_SECRET secret 1 does not start with whsec_; expected whsec_ and a base64 key of 24 to 64 bytes`},
		{map[string]string{"WEBHOOK_URL": "https://siem.example.com/in", "WEBHOOK_STYLE": "standard", "WEBHOOK_SECRET": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw whsec_c2hvcnQ="}, `config: WEBHOOK_SECRET secret 2 has a key of 5 bytes; expected whsec_ and a base64 key of 24 to 64 bytes`},
		{map[string]string{"WEBHOOK_URL": "https://siem.example.com/in", "WEBHOOK_HEADERS": "X-Team: ops; Authorization Bearer s3cr3t-t0ken"}, `config: WEBHOOK_HEADERS entry 2 is not 'Name: value'; expected e.g. Authorization: Bearer <token>; X-Team: ops`},
		{map[string]string{"SYSLOG_ADDR": "siem.example.com:514"}, `config: SYSLOG_ADDR="siem.example.com:514" is not udp://host:port, tcp://host:port or tls://host:port; expected e.g. tls://siem.example.com:6514`},
		{map[string]string{"SYSLOG_ADDR": "tls://siem.example.com"}, `config: SYSLOG_ADDR="tls://siem.example.com" is not udp://host:port`},
		{map[string]string{"SYSLOG_ADDR": "udp://siem:514", "SYSLOG_FORMAT": "cef"}, `config: SYSLOG_FORMAT="cef" is not a format; expected rfc5424 or rfc3164`},
		{map[string]string{"SYSLOG_ADDR": "tls://siem:6514", "SYSLOG_CA_FILE": "/no/such/ca.pem"}, `config: SYSLOG_CA_FILE="/no/such/ca.pem" cannot be read (no such file or directory); expected a PEM file with the CA certificate`},
		{map[string]string{"FILE_SINK_PATH": "/no/such/dir/events.jsonl"}, `config: FILE_SINK_PATH="/no/such/dir/events.jsonl": its directory /no/such/dir does not exist; expected a file in a mounted directory`},
		{map[string]string{"FILE_SINK_PATH": "/tmp/events.jsonl", "FILE_SINK_MAX_MB": "-1"}, `config: FILE_SINK_MAX_MB="-1" is negative`},
		{map[string]string{"DISCORD_WEBHOOK_URL": "discord.com/api/webhooks/1/s3cr3t"}, `config: DISCORD_WEBHOOK_URL is not an http(s) URL; expected e.g. https://discord.com/api/webhooks/<id>/<token>`},
		{map[string]string{"NTFY_URL": "ntfy.sh/my-topic"}, `config: NTFY_URL is not an http(s) URL; expected e.g. https://ntfy.sh/netbird-alerts-<random>`},
		{map[string]string{"CHANGE_REPORT": "weekly"}, `config: CHANGE_REPORT="weekly" is not a schedule`},
		{map[string]string{"BACKUP_TARGETS": "file:///mnt/disk, ftp://old.example.com/x"}, `config: BACKUP_TARGETS entry 2 "ftp://old.example.com/x": unknown scheme; expected file:///dir, sftp://user@host[:port]/dir or s3://bucket/prefix`},
		{map[string]string{"BACKUP_TARGETS": "sftp://b@vault/nb", "BACKUP_SSH_STRICT": "maybe"}, `config: BACKUP_SSH_STRICT="maybe" is not a host key policy; expected yes, accept-new or no`},
		{map[string]string{"BACKUP_TARGETS": "s3://netbird-backups/prod"}, `config: BACKUP_TARGETS entry 1 "s3://netbird-backups/prod": BACKUP_S3_ACCESS_KEY_ID and BACKUP_S3_SECRET_ACCESS_KEY are needed`},
		{map[string]string{"BACKUP_TARGETS": "s3://b/p", "BACKUP_S3_ACCESS_KEY_ID": "k", "BACKUP_S3_SECRET_ACCESS_KEY": "s", "BACKUP_S3_ENDPOINT": "minio:9000"}, `config: BACKUP_TARGETS entry 1 "s3://b/p": the endpoint "minio:9000" is not an http(s) URL`},
		{map[string]string{"BACKUP_POSTGRES_DATABASES": "netbird"}, `config: BACKUP_POSTGRES_DATABASES is set but BACKUP_POSTGRES is not; expected the Postgres container to dump them in`},
		{map[string]string{"BACKUP_POSTGRES": "pg", "BACKUP_POSTGRES_DATABASES": "netbird, net bird"}, `config: BACKUP_POSTGRES_DATABASES has "net bird"; expected database names (e.g. netbird) or postgres:// DSNs`},
		{map[string]string{"BACKUP_POSTGRES": "pg", "BACKUP_POSTGRES_DATABASES": "postgres://nb:pg-s3cret@db/netbird?sslmode=maybe"}, `config: BACKUP_POSTGRES_DATABASES has "postgres://nb@db/netbird?sslmode=maybe", which cannot be read as a Postgres DSN (`},
		{map[string]string{"BACKUP_ENCRYPTION": "rar"}, `config: BACKUP_ENCRYPTION="rar" is not a format; expected zip or age`},
		{map[string]string{"CRON_BACKUP_OFFSITE": "nightly"}, `config: CRON_BACKUP_OFFSITE="nightly" is not a schedule`},
		{map[string]string{"OFFSITE_SSH_HOST": "b@vault", "OFFSITE_SSH_STRICT": "maybe"}, `config: OFFSITE_SSH_STRICT="maybe" is not a host key policy; expected yes, accept-new or no`},
		{map[string]string{"OFFSITE_SSH_HOST": "b@vault", "OFFSITE_SSH_PORT": "ssh"}, `config: OFFSITE_SSH_PORT="ssh" is not a whole number`},
		{map[string]string{"OFFSITE_SSH_HOST": "b@vault", "OFFSITE_SSH_PORT": "70000"}, `config: OFFSITE_SSH_PORT=70000 is not a port; expected 1 to 65535`},
		{map[string]string{"OFFSITE_SSH_HOST": "b@vault", "OFFSITE_KEEP": "0"}, `config: OFFSITE_KEEP=0 would prune the archive just shipped; expected at least 1`},
		{map[string]string{"CLONE_SSH_HOST": "root@standby", "CLONE_SSH_STRICT": "maybe"}, `config: CLONE_SSH_STRICT="maybe" is not a host key policy; expected yes, accept-new or no`},
		{map[string]string{"CLONE_SSH_HOST": "root@standby", "CLONE_SSH_PORT": "70000"}, `config: CLONE_SSH_PORT=70000 is not a port; expected 1 to 65535, e.g. 22`},
		{map[string]string{"CLONE_SSH_HOST": "root@standby", "CLONE_KEEP_SNAPSHOTS": "0"}, `config: CLONE_KEEP_SNAPSHOTS=0 would leave no rollback snapshot; expected at least 1`},
		{map[string]string{"CRON_CLONE_STANDBY": "0 4 * * *", "CLONE_MIN_ROWS": "accounts=1"}, `config: CLONE_MIN_ROWS has "accounts=1"; expected table:rows items, e.g. accounts:1,peers:1`},
		{map[string]string{"CLONE_SSH_HOST": "root@standby", "CLONE_STANDBY_IP": "standby.example.com"}, `config: CLONE_STANDBY_IP="standby.example.com" is not an IP address; expected e.g. 203.0.113.7 (optionally with :port)`},
		{map[string]string{"CLONE_SSH_HOST": "root@standby", "CLONE_PAYLOAD_DIR": "incoming"}, `config: CLONE_PAYLOAD_DIR="incoming" is not an absolute path on the standby; expected e.g. /opt/...`},
		{map[string]string{"CLONE_SSH_HOST": "root@standby", "CLONE_SSH_KEY": "/no/such/key"}, `config: CLONE_SSH_KEY=/no/such/key does not exist inside the container; expected the path of a mounted private key, e.g. /run/secrets/standby_key`},
		{map[string]string{"CLONE_SSH_HOST": "root@standby", "CLONE_EMAIL_TO": "ops"}, `config: CLONE_EMAIL_TO has "ops", which is not an e-mail address; expected comma-separated addresses`},
		{map[string]string{"CLONE_SSH_HOST": "root@standby", "CLONE_ACME_SOURCE": "/letsencrypt/acme.json", "CLONE_ACME_REMOTE": "/opt/traefik/acme.json"}, `config: CLONE_ACME_REMOTE and CLONE_INGRESS_ROOT go together: the ingress is stopped while its store is merged; expected both or neither`},
		{map[string]string{"OFFSITE_SSH_HOST": "b@vault", "OFFSITE_SSH_KEY": "/no/such/key"}, `config: OFFSITE_SSH_KEY=/no/such/key does not exist inside the container; expected the path of a mounted private key`},
		{map[string]string{"OFFSITE_SSH_HOST": "b@vault", "OFFSITE_SSH_KEY_FILE": "/no/such/key"}, `config: OFFSITE_SSH_KEY_FILE=/no/such/key does not exist inside the container`},
		{map[string]string{"OFFSITE_SSH_HOST": "b@vault", "OFFSITE_EMAIL_TO": "ops"}, `config: OFFSITE_EMAIL_TO has "ops", which is not an e-mail address`},
		{map[string]string{"OFFSITE_SSH_HOST": "b@vault", "OFFSITE_PREFIX": "a/b"}, `config: OFFSITE_PREFIX="a/b" cannot start a file name; expected e.g. config-backup`},
		{map[string]string{"TRAFFIC_EVENTS": "maybe"}, `config: TRAFFIC_EVENTS="maybe" is not a boolean; expected true or false (also 1/0, yes/no, on/off)`},
		{map[string]string{"PROXY_POLL_INTERVAL": "0"}, `config: PROXY_POLL_INTERVAL="0" must be greater than 0`},
		{map[string]string{"MATTERMOST_TRAFFIC_INCLUDE": "TYPE_[DROP"}, `config: MATTERMOST_TRAFFIC_INCLUDE="TYPE_[DROP" pattern "TYPE_[DROP": '[' at position 6 is never closed`},
		{map[string]string{"POLL_INTERVAL": "-5"}, `config: POLL_INTERVAL="-5" must be greater than 0`},
		{map[string]string{"POLL_INTERVAL": "inf"}, `config: POLL_INTERVAL="inf" is not a number`},
		{map[string]string{"POLL_INTERVAL": "NaN"}, `config: POLL_INTERVAL="NaN" is not a number`},
		{map[string]string{"POLL_INTERVAL": "0.0000001"}, `is below one millisecond`},
		{map[string]string{"POLL_INTERVAL": "1e12"}, `is more than a year`},
		{map[string]string{"BACKOFF_CAP_SECONDS": "5m"}, `config: BACKOFF_CAP_SECONDS="5m" is not a number; expected seconds`},
		{map[string]string{"OUTAGE_ALERT_MINUTES": "ten"}, `config: OUTAGE_ALERT_MINUTES="ten" is not a number; expected minutes`},
		{map[string]string{"MAX_CATCHUP": "1.5"}, `config: MAX_CATCHUP="1.5" is not a whole number; expected a non-negative integer`},
		{map[string]string{"MAX_CATCHUP": "-1"}, `config: MAX_CATCHUP="-1" is negative`},
		{map[string]string{"BACKLOG_WARN_THRESHOLD": "many"}, `config: BACKLOG_WARN_THRESHOLD="many" is not a whole number`},
		{map[string]string{"BACKFILL": "20000"}, `config: BACKFILL=20000 is more than the API ever returns; expected 0 to 10000`},
		{map[string]string{"BACKFILL": "x"}, `config: BACKFILL="x" is not a whole number`},
		{map[string]string{"STATE_FILE": ""}, `config: STATE_FILE is empty`},
		{map[string]string{"STDOUT_INCLUDE": "policy.[x"}, `config: STDOUT_INCLUDE="policy.[x" pattern "policy.[x": '[' at position 8 is never closed; expected comma-separated shell globs`},
		{map[string]string{"STDOUT_EXCLUDE": "a,[b"}, `config: STDOUT_EXCLUDE="a,[b" pattern "[b"`},
		{map[string]string{"TZ": "Mars/Olympus"}, `config: TZ="Mars/Olympus" is not a known time zone; expected an IANA name such as Europe/Berlin or UTC`},
		{map[string]string{"LOG_LEVEL": "loud"}, `config: LOG_LEVEL="loud" is not an allowed value; expected one of debug|info|warn|error`},
		{map[string]string{"LOG_FORMAT": "xml"}, `config: LOG_FORMAT="xml" is not an allowed value; expected one of text|json`},
		{map[string]string{"SINK_QUEUE_MAX": "lots"}, `config: SINK_QUEUE_MAX="lots" is not a whole number`},
		{map[string]string{"MATTERMOST_WEBHOOK_URL": "mattermost.example.com/hooks/abc"}, `config: MATTERMOST_WEBHOOK_URL is not an http(s) URL; expected the incoming webhook's URL`},
		{map[string]string{"MATTERMOST_WEBHOOK_URL": "ftp://x/hooks/abc"}, `config: MATTERMOST_WEBHOOK_URL is not an http(s) URL`},
		{map[string]string{"MATTERMOST_WEBHOOK_URL": "https://mm/hooks/a", "MATTERMOST_ICON_URL": "icon.png"}, `config: MATTERMOST_ICON_URL="icon.png" is not an http(s) URL`},
		{map[string]string{"MATTERMOST_INCLUDE": "[x"}, `config: MATTERMOST_INCLUDE="[x" pattern "[x"`},
		{map[string]string{"MATTERMOST_STARTUP_TEST": "sometimes"}, `config: MATTERMOST_STARTUP_TEST="sometimes" is not a boolean; expected true or false`},
	}
	for _, c := range cases {
		t.Run(fmt.Sprint(c.env), func(t *testing.T) {
			setEnv(t, with(c.env))
			_, err := Load()
			require.Error(t, err)
			require.ErrorContains(t, err, c.want)
			require.NotContains(t, err.Error(), "\n", "one line: one problem")
			var ce *Error
			require.ErrorAs(t, err, &ce)
		})
	}
}

// The old tool's defaults hold when a variable is set but empty, as an
// .env copied from its template has them.
func TestOffsiteDefaultsAndAnEmptyValue(t *testing.T) {
	setEnv(t, with(map[string]string{"OFFSITE_SSH_HOST": "backup@vault"}))
	c, err := Load()
	require.NoError(t, err)
	o := c.Offsite
	require.Equal(t, Offsite{Host: "backup@vault", Port: 22, Strict: "accept-new", Prefix: "config-backup", Keep: 14, WorkDir: "/var/tmp/birdseye-offsite"}, o)
	require.Equal(t, []string{"OFFSITE_REMOTE_DIR", "OFFSITE_PATHS"}, o.Missing())
}

func TestBoolWords(t *testing.T) {
	for in, want := range map[string]bool{"1": true, "TRUE": true, "yes": true, "on": true, "": false, "0": false, "false": false, "No": false, "off": false} {
		var b Bool
		require.NoError(t, b.Decode(in))
		require.Equal(t, want, bool(b), in)
	}
	var b Bool
	require.ErrorContains(t, b.Decode("maybe"), "is not a boolean; expected true or false")
}

func TestSecretFromFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "token")
	require.NoError(t, os.WriteFile(p, []byte("nbp_fromfile\n"), 0o600))

	setEnv(t, map[string]string{"NB_URL": "nb.example.com", "NB_API_KEY_FILE": p})
	c, err := Load()
	require.NoError(t, err)
	require.Equal(t, "nbp_fromfile", c.NetBird.APIKey.Reveal())

	setEnv(t, map[string]string{"NB_URL": "nb.example.com", "NB_API_KEY": "nbp_x", "NB_API_KEY_FILE": p})
	_, err = Load()
	require.ErrorContains(t, err, "config: NB_API_KEY and NB_API_KEY_FILE are both set; expected only one of them")

	setEnv(t, map[string]string{"NB_URL": "nb.example.com", "NB_API_KEY_FILE": filepath.Join(dir, "missing")})
	_, err = Load()
	require.ErrorContains(t, err, "config: NB_API_KEY_FILE=")
	require.ErrorContains(t, err, "cannot be read (no such file or directory)")

	empty := filepath.Join(dir, "empty")
	require.NoError(t, os.WriteFile(empty, []byte("\n"), 0o600))
	setEnv(t, map[string]string{"NB_URL": "nb.example.com", "NB_API_KEY_FILE": empty})
	_, err = Load()
	require.ErrorContains(t, err, "is empty")
}

func TestSecretNeverPrints(t *testing.T) {
	s := Secret("nbp_topsecret")
	for _, out := range []string{fmt.Sprint(s), fmt.Sprintf("%v %s %+v %#v", s, s, s, s), fmt.Sprintf("%+v", NetBird{URL: "u", APIKey: s})} {
		require.NotContains(t, out, "topsecret")
	}
	b, _ := s.MarshalText()
	require.Equal(t, "<secret>", string(b))
}

func TestDotEnvDoesNotOverrideTheRealEnvironment(t *testing.T) {
	setEnv(t, map[string]string{"NB_URL": "https://real.example.com"})
	p := filepath.Join(t.TempDir(), ".env")
	require.NoError(t, os.WriteFile(p, []byte(strings.Join([]string{
		"# comment",
		"",
		"NB_URL=https://dotenv.example.com",
		"export NB_API_KEY='nbp_single # not a comment'",
		`STDOUT_INCLUDE="policy.*,user.*"`,
		"POLL_INTERVAL=5 # inline comment",
	}, "\n")), 0o600))
	require.NoError(t, LoadDotEnv(p))
	c, err := Load()
	require.NoError(t, err)
	require.Equal(t, "https://real.example.com", c.NetBird.URL)
	require.Equal(t, "nbp_single # not a comment", c.NetBird.APIKey.Reveal())
	require.Equal(t, "policy.*,user.*", c.Stdout.Include.Raw)
	require.Equal(t, 5*time.Second, c.Forwarder.PollInterval.D())
}

func TestDotEnvMissingFileIsFineAndABadLineIsNamed(t *testing.T) {
	require.NoError(t, LoadDotEnv(filepath.Join(t.TempDir(), "none")))
	p := filepath.Join(t.TempDir(), ".env")
	require.NoError(t, os.WriteFile(p, []byte("OK=1\nthis is not an assignment\n"), 0o600))
	err := LoadDotEnv(p)
	require.ErrorContains(t, err, "line 2 is not KEY=VALUE")
	require.NoError(t, os.WriteFile(p, []byte(`A="open`), 0o600))
	require.ErrorContains(t, LoadDotEnv(p), "double quote is never closed")
}

func TestVarsListsEveryVariableOnce(t *testing.T) {
	seen := map[string]bool{}
	for _, v := range Vars() {
		require.NotEmpty(t, v.Name)
		require.NotEmpty(t, v.Desc, v.Name)
		require.False(t, seen[v.Name], v.Name)
		seen[v.Name] = true
	}
	require.True(t, seen["NB_API_KEY"])
}

func TestCleanupScheduleAndAdminToken(t *testing.T) {
	setEnv(t, minimal())
	c, err := Load()
	require.NoError(t, err)
	require.Equal(t, "*/15 * * * *", c.Schedule.CleanupEphemeral)
	require.Empty(t, c.NetBird.AdminKey)

	for _, spec := range []string{"", "@hourly", "0 3 * * 0", "0 3 * * 7", "30 2 * * 1-7"} { // 7: Sunday, as in Debian cron
		setEnv(t, with(map[string]string{"CRON_CLEANUP_EPHEMERAL": spec}))
		c, err := Load()
		require.NoError(t, err, spec)
		require.Equal(t, spec, c.Schedule.CleanupEphemeral)
	}
	for _, spec := range []string{"*/15 * * *", "every 15 minutes", "@fortnightly", "0 25 * * *"} {
		setEnv(t, with(map[string]string{"CRON_CLEANUP_EPHEMERAL": spec}))
		_, err := Load()
		require.ErrorContains(t, err, `config: CRON_CLEANUP_EPHEMERAL="`+spec+`" is not a schedule`, spec)
		require.ErrorContains(t, err, "expected five fields")
	}
}

func TestToolTokens(t *testing.T) {
	setEnv(t, map[string]string{"NB_URL": "nb.example.com", "NB_API_KEY": "nbp_user"})
	tool, err := LoadTool()
	require.NoError(t, err)
	tok, err := tool.NetBird.Token(false, "policies list")
	require.NoError(t, err)
	require.Equal(t, "nbp_user", tok)
	_, err = tool.NetBird.Token(true, "cleanup-ephemeral")
	require.ErrorContains(t, err, "config: NB_ADMIN_API_KEY is not set; cleanup-ephemeral needs an admin token")

	setEnv(t, map[string]string{"NB_URL": "nb.example.com", "NB_ADMIN_API_KEY": "nbp_admin"})
	tool, err = LoadTool()
	require.NoError(t, err)
	tok, err = tool.NetBird.Token(false, "policies list")
	require.NoError(t, err)
	require.Equal(t, "nbp_admin", tok, "reads fall back to the admin token")

	setEnv(t, map[string]string{})
	tool, err = LoadTool()
	require.NoError(t, err, "backup verify and extract need no NB_URL")
	require.ErrorContains(t, tool.CheckURL(), "config: NB_URL is not set")
}

func TestPruneSettings(t *testing.T) {
	setEnv(t, minimal())
	c, err := Load()
	require.NoError(t, err)
	require.Empty(t, c.Schedule.PrunePeers)
	require.Equal(t, Count(90), c.Prune.OfflineDays)
	require.Equal(t, Count(20), c.Prune.Max)

	setEnv(t, with(map[string]string{"CRON_PRUNE_PEERS": "0 4 * * 0", "PRUNE_PROTECT_GROUPS": "Servers, Infra-*", "PRUNE_OFFLINE_DAYS": "180", "PRUNE_MAX": "5"}))
	c, err = Load()
	require.NoError(t, err)
	require.Len(t, c.Prune.ProtectGroups.Globs, 2)
	require.Equal(t, Count(180), c.Prune.OfflineDays)

	for env, want := range map[string]string{
		"CRON_PRUNE_PEERS=weekly": `config: CRON_PRUNE_PEERS="weekly" is not a schedule`,
		"PRUNE_OFFLINE_DAYS=0":    `config: PRUNE_OFFLINE_DAYS=0 would prune every offline peer`,
		"PRUNE_MAX=-1":            `config: PRUNE_MAX="-1" is negative`,
		"PRUNE_PROTECT_GROUPS=[x": `config: PRUNE_PROTECT_GROUPS="[x" pattern "[x"`,
	} {
		k, v, _ := strings.Cut(env, "=")
		setEnv(t, with(map[string]string{"CRON_PRUNE_PEERS": "@weekly", k: v}))
		_, err := Load()
		require.ErrorContains(t, err, want, env)
	}
}

func TestMaintenanceSettings(t *testing.T) {
	setEnv(t, with(map[string]string{"CRON_NETBIRD_MAINTENANCE": "0 * * * *", "MAINTENANCE_POSTURE_CHECK": "Recent client", "MAINTENANCE_ALLOW_PING": "yes", "MAINTENANCE_DRY_RUN": "1", "MAINTENANCE_EMAIL_TO": "noc@example.com"}))
	c, err := Load()
	require.NoError(t, err)
	require.True(t, bool(c.Maintenance.AllowPing))
	require.True(t, bool(c.Maintenance.DryRun))
	for env, want := range map[string]string{
		"CRON_NETBIRD_MAINTENANCE=hourly": `config: CRON_NETBIRD_MAINTENANCE="hourly" is not a schedule`,
		"MAINTENANCE_ALLOW_PING=maybe":    `config: MAINTENANCE_ALLOW_PING="maybe" is not a boolean`,
		"MAINTENANCE_DRY_RUN=2":           `config: MAINTENANCE_DRY_RUN="2" is not a boolean`,
		"MAINTENANCE_EMAIL_TO=noc":        `config: MAINTENANCE_EMAIL_TO has "noc", which is not an e-mail address`,
	} {
		k, v, _ := strings.Cut(env, "=")
		setEnv(t, with(map[string]string{k: v}))
		_, err := Load()
		require.ErrorContains(t, err, want, env)
	}
}

func TestBackupPassword(t *testing.T) {
	for pw, want := range map[string]string{
		"":            "config: BACKUP_ZIP_PASSWORD is not set (nor BACKUP_ZIP_PASSWORD_FILE); expected a passphrase of at least 12 characters",
		"short":       "config: BACKUP_ZIP_PASSWORD has 5 characters; expected at least 12",
		"ünïcødé-pw!": "config: BACKUP_ZIP_PASSWORD has 11 characters; expected at least 12",
	} {
		err := Backup{Password: Secret(pw)}.CheckPassword()
		require.ErrorContains(t, err, want)
		if pw != "" {
			require.NotContains(t, err.Error(), pw)
		}
	}
	require.NoError(t, Backup{Password: "twelve chars"}.CheckPassword())
	require.Equal(t, []string{"/backup/a", "/backup/b*"}, SplitComma(" /backup/a, ,/backup/b* "))
}

// A new .env with several mistakes: all of them are named in one run.
func TestEveryProblemIsReportedAtOnce(t *testing.T) {
	setEnv(t, with(map[string]string{"POLL_INTERVAL": "fast", "MAX_CATCHUP": "-1", "WEBHOOK_URL": "ftp://x", "BACKFILL": "20000", "TZ": "Mars/Olympus"}))
	_, err := Load()
	require.Error(t, err)
	var errs Errors
	require.ErrorAs(t, err, &errs)
	text := err.Error()
	for _, v := range []string{"POLL_INTERVAL=\"fast\"", "MAX_CATCHUP=\"-1\"", "WEBHOOK_URL", "BACKFILL=20000", "TZ=\"Mars/Olympus\""} {
		require.Contains(t, text, "config: "+v)
	}
	require.Equal(t, 5, strings.Count(text, "\n")+1, "one line each:\n%s", text)
	var ce *Error
	require.ErrorAs(t, err, &ce, "still a configuration error: exit 2")
}

// The store key comes from NB_DATASTORE_ENCRYPTION_KEY, or from NetBird's
// own configuration file, JSON or YAML.
func TestTheStoreKeyIsReadFromNetBirdsConfiguration(t *testing.T) {
	dir := t.TempDir()
	j := filepath.Join(dir, "management.json")
	require.NoError(t, os.WriteFile(j, []byte(`{"Stuns":[],"DataStoreEncryptionKey":"a2V5LWZyb20tanNvbg=="}`), 0o600))
	y := filepath.Join(dir, "config.yaml")
	require.NoError(t, os.WriteFile(y, []byte("server:\n  store:\n    engine: sqlite\n    encryptionKey: a2V5LWZyb20teWFtbA==\n"), 0o600))
	for file, want := range map[string]string{j: "a2V5LWZyb20tanNvbg==", y: "a2V5LWZyb20teWFtbA=="} {
		k, err := Events{KeyFrom: file}.StoreKey()
		require.NoError(t, err)
		require.Equal(t, want, k)
	}
	k, _ := Events{Key: "ZGlyZWN0", KeyFrom: j}.StoreKey()
	require.Equal(t, "ZGlyZWN0", k, "the variable wins")
	empty := filepath.Join(dir, "empty.json")
	require.NoError(t, os.WriteFile(empty, []byte(`{}`), 0o600))
	_, err := Events{KeyFrom: empty}.StoreKey()
	require.ErrorContains(t, err, "holds no DataStoreEncryptionKey")
}

// Comma-separated settings are read once into lists: entries trimmed,
// empty ones dropped, so no feature splits them again.
func TestListsAreReadOnceTrimmedWithoutEmpties(t *testing.T) {
	setEnv(t, with(map[string]string{"BACKUP_PATHS": " /backup/a , ,/backup/b,", "BACKUP_EMAIL_TO": "ops@example.com, audit@example.com", "MIRROR_SECTIONS": ""}))
	c, err := Load()
	require.NoError(t, err)
	require.Equal(t, List{"/backup/a", "/backup/b"}, c.Backup.Paths)
	require.Equal(t, "/backup/a,/backup/b", c.Backup.Paths.String())
	require.Equal(t, List{"ops@example.com", "audit@example.com"}, c.Backup.EmailTo)
	require.Empty(t, c.Mirror.Sections)
}

func TestAgeRecipientsThatAreNotKeysAreNamedByPosition(t *testing.T) {
	setEnv(t, with(map[string]string{"BACKUP_ENCRYPTION": "age", "BACKUP_AGE_RECIPIENTS": "age1qqqq, ssh-ed25519 AAAAnope"}))
	_, err := Load()
	require.ErrorContains(t, err, "BACKUP_AGE_RECIPIENTS recipient 1 is not an age1… key or an SSH public key")
}

func TestCertWatchDaysAreWholeDays(t *testing.T) {
	leads, err := Watch{CertDays: List{"21", "7", "1"}}.CertLeads()
	require.NoError(t, err)
	require.Equal(t, []int{21, 7, 1}, leads)
	_, err = Watch{CertDays: List{"21", "a week"}}.CertLeads()
	require.EqualError(t, err, `config: CERT_WATCH_DAYS has "a week"; expected whole days from 0 to 365, comma-separated, e.g. 21,7,1`)
}

func TestWatchDigestIsASchedule(t *testing.T) {
	s, err := Watch{}.DigestSchedule()
	require.NoError(t, err)
	require.Nil(t, s, "empty: an alert each")
	s, err = Watch{Digest: "0 8 * * 1-5"}.DigestSchedule()
	require.NoError(t, err)
	require.Equal(t, time.Date(2026, 12, 7, 8, 0, 0, 0, time.UTC), s.Next(time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)), "Saturday: Monday's")
	_, err = Watch{Digest: "every morning"}.DigestSchedule()
	require.ErrorContains(t, err, `config: WATCH_DIGEST="every morning" is not a schedule (`)
	require.ErrorContains(t, err, "expected five fields, minute hour day month weekday, such as 0 8 * * 1-5, or @daily")
}

func TestUpdateSourcesAreURLsFilesOrOff(t *testing.T) {
	for _, ok := range []string{"https://pkgs.netbird.io/releases/latest/version", "off", "", "/srv/mirror/version", "file:///srv/mirror/version", "http://mirror.lan/v"} {
		require.NoError(t, Watch{UpdateSource: ok}.checkUpdateURLs(), ok)
	}
	require.False(t, Watch{UpdateSource: "off"}.UpdateSourceOn())
	require.True(t, Watch{UpdateSource: "/srv/v"}.UpdateSourceOn())
	err := Watch{UpdateSource: "pkgs.netbird.io/releases"}.checkUpdateURLs()
	require.EqualError(t, err, `config: UPDATE_SOURCE_URL="pkgs.netbird.io/releases" is not a URL or a file; expected https://…, file:///path or /path (or off)`)
	err = Watch{UpdateSource: "off", UpdateBirdseye: "ftp://x/y"}.checkUpdateURLs()
	require.ErrorContains(t, err, `UPDATE_BIRDSEYE_URL="ftp://x/y" is not a URL or a file`)
}

func TestCertWatchHostsAreHostsWithAPort(t *testing.T) {
	require.NoError(t, Watch{CertHosts: List{"nb.example.com", "relay.example.com:33080", "[::1]:443", "10.0.0.5"}}.checkCertHosts())
	for _, bad := range []string{"nb.example.com:https", "nb.example.com:70000", "https://nb.example.com", ":443"} {
		err := Watch{CertHosts: List{bad}}.checkCertHosts()
		require.EqualError(t, err, `config: CERT_WATCH_HOSTS has "`+bad+`"; expected host or host:port (a port from 1 to 65535), comma-separated, e.g. netbird.example.com,relay.example.com:443`, bad)
	}
}

func TestFleetMetricsNeedTheMetricsEndpointAndTheWatch(t *testing.T) {
	t.Setenv("NB_URL", "https://nb.example.com")
	t.Setenv("NB_API_KEY", "nbp_x")
	t.Setenv("FLEET_METRICS", "on")
	_, err := Load()
	require.ErrorContains(t, err, "config: FLEET_METRICS=on needs METRICS_ADDR (where /metrics is served, e.g. :9469) and WATCH=on")
	t.Setenv("METRICS_ADDR", ":9469")
	_, err = Load()
	require.NoError(t, err)
	t.Setenv("WATCH", "off")
	_, err = Load()
	require.ErrorContains(t, err, "FLEET_METRICS=on needs")
}

func TestATelegramBotNeedsItsTokenAndAChat(t *testing.T) {
	require.NoError(t, Telegram{}.validate(), "off")
	err := Telegram{Token: "not-a-token", APIURL: "https://api.telegram.org"}.validate()
	require.ErrorContains(t, err, "config: TELEGRAM_BOT_TOKEN is not a bot token; expected what @BotFather gives, 123456789:AA…")
	require.ErrorContains(t, err, "config: TELEGRAM_CHAT_ID is not set; expected the chat's id, e.g. -1001234567890, or @channelname")
	require.NotContains(t, err.Error(), "not-a-token")
	tg := Telegram{Token: "1:AA", ChatID: "@ops", APIURL: "https://tg.example/"}
	require.NoError(t, tg.validate())
	require.Equal(t, "https://tg.example/bot1:AA/sendMessage", tg.URL())
}

func TestAGoogleChatWebhookNeedsItsWholeURL(t *testing.T) {
	require.NoError(t, Chat{}.validate(), "off")
	err := Chat{GoogleURL: "chat.googleapis.com/v1/spaces/AAQA/messages"}.validate()
	require.ErrorContains(t, err, "config: GOOGLE_CHAT_WEBHOOK_URL is not an http(s) URL; expected e.g. https://chat.googleapis.com/v1/spaces/<space>/messages?key=<key>&token=<token>")
	err = Chat{GoogleURL: "https://chat.googleapis.com/v1/spaces/AAQA/messages?key=AIzaSyX"}.validate()
	require.ErrorContains(t, err, "config: GOOGLE_CHAT_WEBHOOK_URL has no token; expected the whole URL the space's webhook shows, ending in &token=…")
	require.NotContains(t, err.Error(), "AIzaSyX", "the URL is a secret")
	require.NoError(t, Chat{GoogleURL: "https://chat.googleapis.com/v1/spaces/AAQA/messages?key=k&token=t"}.validate())
	require.NoError(t, Chat{GoogleURL: "http://relay.internal:8080/chat"}.validate(), "a relay of one's own is not Google's")
}

func TestOTLPSettingsAreCheckedAndHeadersNeverShown(t *testing.T) {
	require.NoError(t, OTLP{}.validate(), "off")
	ok := OTLP{Endpoint: "http://otel:4318", Protocol: "http/json", Compress: "gzip", Headers: "Authorization=Bearer%20s3cret,X-Scope-OrgID=ops", Resource: "deployment.environment=prod"}
	require.NoError(t, ok.validate())
	require.Equal(t, map[string]string{"Authorization": "Bearer s3cret", "X-Scope-OrgID": "ops"}, ok.HeaderMap())
	require.Equal(t, map[string]string{"deployment.environment": "prod"}, ok.ResourceMap())

	err := OTLP{Endpoint: "otel:4318", Protocol: "grpc", Compress: "zstd", Headers: "Authorization: Bearer s3cret", Resource: "prod"}.validate()
	require.ErrorContains(t, err, `config: OTLP_COMPRESSION="zstd" is not a compression birdseye speaks; expected gzip or none`)
	require.ErrorContains(t, err, "config: OTLP_LOGS_ENDPOINT is not an http(s) URL; expected e.g. http://otel-collector:4318/v1/logs")
	require.ErrorContains(t, err, `config: OTLP_PROTOCOL="grpc" is not a protocol birdseye speaks; expected http/protobuf or http/json`)
	require.ErrorContains(t, err, "config: OTLP_HEADERS item 1 is not key=value; expected e.g. Authorization=Bearer%20<token>")
	require.ErrorContains(t, err, "config: OTLP_RESOURCE_ATTRIBUTES item 1 (prod) is not key=value; expected e.g. deployment.environment=prod")
	require.NotContains(t, err.Error(), "s3cret", "a header's value is a credential")

	err = OTLP{Endpoint: "http://otel:4318", Protocol: "http/protobuf", Compress: "none", Headers: "X-Key=ab%zz"}.validate()
	require.ErrorContains(t, err, "config: OTLP_HEADERS item 1 (X-Key) has a value that is not percent-encoded right")
	require.NotContains(t, err.Error(), "ab%zz")
}
