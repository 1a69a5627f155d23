package config

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestTargetURLsAreCheckedAndNamed(t *testing.T) {
	for raw, want := range map[string]string{
		"file://relative/dir":          `"file://relative/dir": expected file:///absolute/dir (three slashes)`,
		"sftp://vault":                 `"sftp://vault": expected sftp://user@host[:port]/dir`,
		"sftp://b@vault:99999/srv":     `"sftp://b@vault:99999/srv": the port 99999 is not one`,
		"s3://bucket/prefix":           `"s3://bucket/prefix": BACKUP_S3_ACCESS_KEY_ID and BACKUP_S3_SECRET_ACCESS_KEY are needed`,
		"ftp://old.example.com/x":      `"ftp://old.example.com/x": unknown scheme`,
		"file:///srv/a,sftp://vault/x": "",
	} {
		_, err := Backup{Targets: SplitComma(raw)}.TargetSpecs()
		if want == "" {
			require.NoError(t, err, raw)
			continue
		}
		require.ErrorContains(t, err, "BACKUP_TARGETS entry 1 "+want, raw)
	}
}

// An entry is taken apart once: the client is built from its parts.
func TestATargetIsTakenApartOnce(t *testing.T) {
	specs, err := Backup{Targets: List{"sftp://backup@vault.example.com:2222/srv/nb", "s3://netbird-backups/prod/", "file:///mnt/disk"},
		S3AccessKey: "k", S3SecretKey: "s"}.TargetSpecs()
	require.NoError(t, err)
	require.Equal(t, []BackupTarget{
		{Raw: "sftp://backup@vault.example.com:2222/srv/nb", Scheme: "sftp", User: "backup", Host: "vault.example.com", Port: 2222, Path: "/srv/nb"},
		{Raw: "s3://netbird-backups/prod/", Scheme: "s3", Host: "netbird-backups", Path: "prod"},
		{Raw: "file:///mnt/disk", Scheme: "file", Path: "/mnt/disk"},
	}, specs)
}
