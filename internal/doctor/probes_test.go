package doctor

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/config"
	"github.com/styliteag/birdseye/internal/netbird/fake"
)

// The probes follow the configuration: each is there when its part is
// configured and absent when not, so doctor says "not configured" rather
// than probing nothing.
func TestProbesForFollowsTheConfiguration(t *testing.T) {
	cfg := baseConfig(t, "")
	p, err := ProbesFor(cfg, nil, false)
	require.NoError(t, err)
	require.Nil(t, p.API)
	require.EqualError(t, p.APIErr, "not set")
	require.Nil(t, p.Admin)
	require.Nil(t, p.SMTPCheck)
	require.Nil(t, p.Offsite)
	require.Nil(t, p.Clone)
	require.Nil(t, p.Mirror)
	require.Nil(t, p.EventsDB)
	require.Empty(t, p.Destinations)

	cfg = baseConfig(t, "https://nb.example.com")
	cfg.NetBird.APIKey, cfg.NetBird.AdminKey = fake.AuditorToken, fake.AdminToken
	cfg.SMTP = config.SMTP{Host: "smtp.example.com", From: "b@example.com", To: []string{"ops@example.com"}}
	cfg.Offsite.Host, cfg.Clone.Host = "backup@vault", "root@standby"
	cfg.Mirror = config.Mirror{URL: "https://standby.example.com", APIKey: "nbp_x"}
	cfg.Events.Source = "db"
	cfg.Webhook.URL = "https://siem.example.com/in"
	p, err = ProbesFor(cfg, nil, true)
	require.NoError(t, err)
	require.NotNil(t, p.API)
	require.NotNil(t, p.Admin)
	require.NotNil(t, p.SMTPCheck)
	require.NotNil(t, p.SMTPSend)
	require.NotNil(t, p.Offsite)
	require.NotNil(t, p.Clone)
	require.NotNil(t, p.Mirror)
	require.NotNil(t, p.EventsDB)
	require.True(t, p.SendTest)
	require.Len(t, p.Destinations, 1)
	require.Equal(t, "webhook", p.Destinations[0].Name)
}
