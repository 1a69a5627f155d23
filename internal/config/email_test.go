package config

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func mailEnv(extra map[string]string) map[string]string {
	m := with(map[string]string{"EMAIL_MODE": "immediate", "SMTP_HOST": "smtp.example.com", "SMTP_FROM": "birdseye@example.com", "SMTP_TO": "ops@example.com"})
	for k, v := range extra {
		m[k] = v
	}
	return m
}

func TestEmailDefaults(t *testing.T) {
	setEnv(t, minimal())
	c, err := Load()
	require.NoError(t, err)
	require.False(t, c.Email.Enabled())
	require.Equal(t, 15*time.Minute, c.Email.Digest())
	require.Equal(t, "policy.*,user.*,setupkey.*,personal.access.token.*,account.*", c.Email.Include.Raw)
	require.True(t, bool(c.Email.Alerts))
	require.Equal(t, "starttls", c.SMTP.TLSMode, "SMTP_STARTTLS unset means starttls, as the old code did")
	require.Equal(t, 587, c.SMTP.Port)
}

func TestSMTPModesPortsAndTheLegacyVariable(t *testing.T) {
	cases := []struct {
		env  map[string]string
		mode string
		port int
	}{
		{map[string]string{"SMTP_TLS_MODE": "TLS"}, "tls", 465},
		{map[string]string{"SMTP_TLS_MODE": "none"}, "none", 25},
		{map[string]string{"SMTP_TLS_MODE": "starttls", "SMTP_PORT": "2525"}, "starttls", 2525},
		{map[string]string{"SMTP_STARTTLS": "true"}, "starttls", 587},
		{map[string]string{"SMTP_STARTTLS": "false"}, "none", 25},
		{map[string]string{"SMTP_STARTTLS": "false", "SMTP_TLS_MODE": "tls"}, "tls", 465},
	}
	for _, c := range cases {
		t.Run(fmt.Sprint(c.env), func(t *testing.T) {
			setEnv(t, mailEnv(c.env))
			cfg, err := Load()
			require.NoError(t, err)
			require.Equal(t, c.mode, cfg.SMTP.TLSMode)
			require.Equal(t, c.port, cfg.SMTP.Port)
		})
	}
}

func TestEmailSettings(t *testing.T) {
	setEnv(t, mailEnv(map[string]string{"EMAIL_MODE": "Digest", "EMAIL_DIGEST_MINUTES": "0.5", "SMTP_TO": "a@example.com, B <b@example.com>",
		"SMTP_USER": "mailer", "SMTP_PASSWORD": "pw", "ALERT_EMAIL": "false", "SMTP_TLS_SKIP_VERIFY": "true", "PORT": "not-a-number"}))
	c, err := Load()
	require.NoError(t, err)
	require.Equal(t, "digest", c.Email.ModeName())
	require.Equal(t, 30*time.Second, c.Email.Digest())
	require.Equal(t, []string{"a@example.com", "B <b@example.com>"}, c.SMTP.To)
	require.False(t, bool(c.Email.Alerts))
	require.True(t, bool(c.SMTP.SkipVerify))

	setEnv(t, mailEnv(map[string]string{"EMAIL_MODE": "digest", "EMAIL_DIGEST_MINUTES": "0"}))
	c, err = Load()
	require.NoError(t, err)
	require.Zero(t, c.Email.Digest())
}

func TestBadEmailValues(t *testing.T) {
	cases := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"EMAIL_MODE": "weekly"}, `config: EMAIL_MODE="weekly" is not an allowed value; expected one of off|immediate|digest`},
		{map[string]string{"SMTP_HOST": "", "SMTP_TO": ""}, `config: EMAIL_MODE=immediate needs SMTP_HOST and SMTP_TO; expected them set (or EMAIL_MODE=off)`},
		{map[string]string{"SMTP_FROM": ""}, `config: EMAIL_MODE=immediate needs SMTP_FROM`},
		{map[string]string{"SMTP_FROM": "not an address"}, `config: SMTP_FROM="not an address" is not an e-mail address`},
		{map[string]string{"SMTP_TO": "ops@example.com,nope"}, `config: SMTP_TO has "nope", which is not an e-mail address`},
		{map[string]string{"SMTP_TLS_MODE": "ssl"}, `config: SMTP_TLS_MODE="ssl" is not an allowed value; expected one of starttls|tls|none`},
		{map[string]string{"SMTP_STARTTLS": "maybe"}, `config: SMTP_STARTTLS="maybe" is not a boolean`},
		{map[string]string{"SMTP_PORT": "70000"}, `config: SMTP_PORT="70000" is not a port; expected a number from 1 to 65535`},
		{map[string]string{"SMTP_HOST": "smtp.example.com:587"}, `config: SMTP_HOST="smtp.example.com:587" is not a host name`},
		{map[string]string{"EMAIL_DIGEST_MINUTES": "-1"}, `config: EMAIL_DIGEST_MINUTES="-1" must be greater than 0; expected minutes as a positive decimal number, e.g. 10 or 0.5 (0 is allowed too)`},
		{map[string]string{"EMAIL_INCLUDE": "a,[b"}, `config: EMAIL_INCLUDE="a,[b" pattern "[b"`},
		{map[string]string{"ALERT_EMAIL": "perhaps"}, `config: ALERT_EMAIL="perhaps" is not a boolean`},
		{map[string]string{"SMTP_TLS_SKIP_VERIFY": "sure"}, `config: SMTP_TLS_SKIP_VERIFY="sure" is not a boolean`},
	}
	for _, c := range cases {
		t.Run(fmt.Sprint(c.env), func(t *testing.T) {
			setEnv(t, mailEnv(c.env))
			_, err := Load()
			require.ErrorContains(t, err, c.want)
		})
	}
}

func TestThePasswordIsNeverInAnError(t *testing.T) {
	setEnv(t, mailEnv(map[string]string{"SMTP_PASSWORD": "hunter2-secret", "SMTP_PORT": "x"}))
	_, err := Load()
	require.Error(t, err)
	require.NotContains(t, err.Error(), "hunter2")
}
