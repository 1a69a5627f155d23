package destinations

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/config"
)

// Every row is complete and names a sink once: the daemon, doctor and
// `sinks test` all build from it.
func TestEveryRowOfTheTableIsCompleteAndUnique(t *testing.T) {
	seen := map[string]bool{}
	for _, sp := range All {
		require.NotEmpty(t, sp.Name)
		require.False(t, seen[sp.Name], "%s twice", sp.Name)
		seen[sp.Name] = true
		require.NotNil(t, sp.On, sp.Name)
		require.NotNil(t, sp.Build, sp.Name)
		require.NotNil(t, sp.Filter, sp.Name)
		prefix, _, _ := sp.Filter(&config.Config{})
		require.NotEmpty(t, prefix, sp.Name)
	}
	require.Len(t, seen, 15, "mattermost, slack, discord, teams, googlechat, telegram, ntfy, webhook, syslog, file, splunk, elastic, loki, otlp, email")
}

func TestConfiguredBuildsStdoutFirstThenWhatIsTurnedOn(t *testing.T) {
	cfg := &config.Config{Mattermost: config.Mattermost{WebhookURL: "https://mm.example.com/hooks/x"},
		Ntfy: config.Ntfy{URL: "https://ntfy.example.com/t"}, Email: config.Email{Mode: "off"}}
	all, err := Configured(cfg, &bytes.Buffer{})
	require.NoError(t, err)
	var names []string
	for _, s := range all {
		names = append(names, s.Name())
	}
	require.Equal(t, []string{"stdout", "mattermost", "ntfy"}, names)

	_, err = Test(t.Context(), cfg, &bytes.Buffer{}, "slack")
	var ue *UnknownError
	require.ErrorAs(t, err, &ue)
	require.EqualError(t, err, `"slack" is not a configured sink; expected one of: stdout, mattermost, ntfy`)
}
