package jobs

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/config"
)

func TestBackupRecipientsFallBackAsTheOldToolDid(t *testing.T) {
	smtp := config.SMTP{Host: "smtp.example.com", From: "b@example.com", To: []string{"ops@example.com"}}
	cases := []struct {
		backupTo, exportTo string
		volumes, export    []string
	}{
		{"", "", []string{"ops@example.com"}, []string{"ops@example.com"}},
		{"backup@example.com", "", []string{"backup@example.com"}, []string{"backup@example.com"}},
		{"backup@example.com", "audit@example.com", []string{"backup@example.com"}, []string{"audit@example.com"}},
		{"", "audit@example.com", []string{"ops@example.com"}, []string{"audit@example.com"}},
	}
	for _, c := range cases {
		rc, err := Backup(config.NetBird{URL: "nb.example.com"}, config.Backup{EmailTo: config.SplitComma(c.backupTo), ExportTo: config.SplitComma(c.exportTo), MaxMB: 20}, smtp, time.UTC, "v", "/var/lib/birdseye/state.json")
		require.NoError(t, err)
		require.Equal(t, c.volumes, rc.VolumeTo, c)
		require.Equal(t, c.export, rc.ExportTo, c)
		require.Equal(t, int64(20<<20), rc.MaxBytes)
		require.NotNil(t, rc.Mailer)
		require.Nil(t, rc.Export, "no admin token: no API export")
	}
}
