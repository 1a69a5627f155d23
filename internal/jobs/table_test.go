package jobs

import (
	"fmt"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/config"
)

func TestBackupPrerequisitesAreNamed(t *testing.T) {
	cfg := &config.Config{Schedule: config.Schedule{Backup: "0 3 * * 0"}}
	require.Equal(t, []Off{{Job: "backup", Variable: "CRON_BACKUP_NETBIRD", Missing: []string{"BACKUP_ZIP_PASSWORD (or BACKUP_ENCRYPTION=age with BACKUP_AGE_RECIPIENTS)", "BACKUP_PATHS or NB_ADMIN_API_KEY",
		"SMTP_HOST, SMTP_FROM and a recipient (BACKUP_EMAIL_TO/EXPORT_EMAIL_TO/SMTP_TO), or BACKUP_DIR"}}}, JobsOff(cfg))
	cfg.Backup = config.Backup{Password: "long enough pw", Paths: config.List{"/backup"}, Dir: "/archives"}
	require.Empty(t, JobsOff(cfg), "BACKUP_DIR is a destination too")
	cfg.Backup.Dir = ""
	cfg.SMTP = config.SMTP{Host: "h", From: "f@x"}
	cfg.Backup.ExportTo = config.List{"a@x"}
	require.Empty(t, JobsOff(cfg))
}

// The template leaves CRON_CLEANUP_EPHEMERAL unset: its default schedule
// waits for an admin token without a warning. Set explicitly, it warns,
// with a hint that works (an empty value; unsetting brings the default back).
func TestACleanupWithoutAdminTokenWarnsOnlyWhenSetExplicitly(t *testing.T) {
	t.Setenv("CRON_CLEANUP_EPHEMERAL", "")
	os.Unsetenv("CRON_CLEANUP_EPHEMERAL")
	cfg := &config.Config{Schedule: config.Schedule{CleanupEphemeral: "*/15 * * * *"}}
	off := JobsOff(cfg)
	require.Len(t, off, 1)
	require.True(t, off[0].Default)
	require.Equal(t, "cleanup-ephemeral is off until NB_ADMIN_API_KEY is set (its schedule CRON_CLEANUP_EPHEMERAL is the default)", off[0].Text())

	t.Setenv("CRON_CLEANUP_EPHEMERAL", "*/15 * * * *")
	off = JobsOff(cfg)
	require.False(t, off[0].Default)
	require.Equal(t, "cleanup-ephemeral is off: CRON_CLEANUP_EPHEMERAL is set but these are missing: NB_ADMIN_API_KEY (set CRON_CLEANUP_EPHEMERAL= empty to turn the job off)", off[0].Text())

	cfg.NetBird.AdminKey = "nbp_x"
	require.Empty(t, JobsOff(cfg))
}

func TestAnOffsiteScheduleWithoutItsSettingsIsOffAndSaysWhatIsMissing(t *testing.T) {
	cfg := &config.Config{Schedule: config.Schedule{Offsite: "30 2 * * *"}, Offsite: config.Offsite{RemoteDir: "/srv/b"}}
	require.Equal(t, []Off{{Job: "backup-offsite", Variable: "CRON_BACKUP_OFFSITE", Missing: []string{"OFFSITE_SSH_HOST", "OFFSITE_PATHS"}}}, JobsOff(cfg))
}

// Every row names variables the configuration reads and checks: a bad
// schedule and a ping that is not a URL stop the start naming the row's
// variables, and each row reads its own schedule and ping field.
func TestEveryJobsScheduleAndPingAreTheConfigurationsOwn(t *testing.T) {
	names := map[string]bool{}
	for _, v := range config.Vars() {
		names[v.Name] = true
	}
	seen := map[string]bool{}
	for _, s := range Table {
		require.True(t, names[s.Variable], "%s is a variable config reads", s.Variable)
		require.True(t, names[s.Ping], "%s is a variable config reads", s.Ping)
		require.False(t, seen[s.Name] || seen[s.Variable] || seen[s.Ping], "%s: names are unique", s.Name)
		seen[s.Name], seen[s.Variable], seen[s.Ping] = true, true, true
		require.NotNil(t, s.Build, s.Name)

		var sched config.Schedule
		setByTag(t, &sched, s.Variable, "0 3 * * 0")
		require.Equal(t, "0 3 * * 0", s.Schedule(sched), "%s reads its own field", s.Name)
		var mon config.Monitor
		setByTag(t, &mon, s.Ping, "https://hc-ping.com/x")
		require.Equal(t, config.Secret("https://hc-ping.com/x"), s.PingURL(mon), "%s reads its own ping", s.Name)

		for variable, bad := range map[string]string{s.Variable: "weekly", s.Ping: "hc-ping.com/uuid"} {
			env := map[string]string{"NB_URL": "https://nb.example.com", "NB_API_KEY": "nbp_secret", "STATE_FILE": t.TempDir() + "/state.json", variable: bad}
			for k, v := range env {
				t.Setenv(k, v)
			}
			_, err := config.Load()
			require.ErrorContains(t, err, variable, "a bad %s stops the start naming it", variable)
			os.Unsetenv(variable)
		}
	}
}

// docs/operations.md's job table is the table: a row per job with its
// name, schedule, ping, Checkmk file and service, and no other row.
func TestTheDocsJobTableIsTheTable(t *testing.T) {
	doc, err := os.ReadFile("../../docs/operations.md")
	require.NoError(t, err)
	row := regexp.MustCompile("(?m)^  \\| `([a-z-]+)` \\| `([A-Z_]+)` \\| `([A-Z_]+)` \\| `(<[A-Z_a-z]+>|\\d+)_([a-z_]+)\\.txt` \\| `([A-Za-z_]+)` \\|")
	rows := row.FindAllStringSubmatch(string(doc), -1)
	require.Len(t, rows, len(Table), "one row per job")
	for i, s := range Table {
		r := rows[i]
		require.Equal(t, []string{s.Name, s.Variable, s.Ping, s.Check.File, s.Check.Service}, []string{r[1], r[2], r[3], r[5], r[6]}, "row %d", i+1)
		if !strings.HasPrefix(r[4], "<") {
			require.NotNil(t, s.MaxAge, "%s: a fixed age in the docs", s.Name)
			require.Equal(t, r[4], fmt.Sprint(int(s.MaxAge(&config.Config{}).Seconds())), "%s: the docs' age", s.Name)
		}
	}
}

// setByTag sets the string field of *ptr whose envconfig tag is name.
func setByTag(t *testing.T, ptr any, name, value string) {
	t.Helper()
	v := reflect.ValueOf(ptr).Elem()
	for i := range v.NumField() {
		if v.Type().Field(i).Tag.Get("envconfig") == name {
			v.Field(i).SetString(value)
			return
		}
	}
	t.Fatalf("no field is read from %s", name)
}
