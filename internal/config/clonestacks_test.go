package config

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func env(vars map[string]string) func(string) (string, bool) {
	return func(n string) (string, bool) { v, ok := vars[n]; return v, ok }
}

func TestTargetsTakeTheOldToolsDefaults(t *testing.T) {
	vars := map[string]string{
		"CLONE_TARGETS":          "hot, cold-2",
		"CLONE_HOT_ROOT":         "/opt/nb/",
		"CLONE_HOT_AUTOSTART":    "yes",
		"CLONE_HOT_HOST":         "nb2.example.com",
		"CLONE_COLD_2_ROOT":      "/opt/cold",
		"CLONE_COLD_2_DB_DIR":    "/data/store/",
		"CLONE_COLD_2_CERT_COPY": "1",
	}
	ts, err := Clone{Targets: vars["CLONE_TARGETS"]}.stacks(env(vars), "nb.example.com")
	require.NoError(t, err)
	require.Equal(t, []CloneStack{
		{Name: "hot", Root: "/opt/nb", Project: "hot", Compose: "docker-compose.yml", Host: "nb2.example.com", Autostart: true, DBDir: "data/netbird"},
		{Name: "cold-2", Root: "/opt/cold", Project: "cold-2", Compose: "docker-compose.yml", Host: "nb.example.com", CertCopy: true, DBDir: "data/store"},
	}, ts)
}

func TestTargetsUseCloneDBSubdirWhichTheOldToolIgnored(t *testing.T) {
	ts, err := Clone{Targets: "a", DBSubdir: "/srv/nb-data/"}.stacks(env(map[string]string{"CLONE_A_ROOT": "/a"}), "nb")
	require.NoError(t, err)
	require.Equal(t, "srv/nb-data", ts[0].DBDir)
}

func TestTargetsBadInputNamesTheVariable(t *testing.T) {
	cases := []struct {
		vars map[string]string
		want string
	}{
		{map[string]string{}, "CLONE_TARGETS is not set"},
		{map[string]string{"CLONE_TARGETS": " , "}, "CLONE_TARGETS is not set"},
		{map[string]string{"CLONE_TARGETS": "a b"}, "CLONE_TARGETS: 'a b' is not a usable name"},
		{map[string]string{"CLONE_TARGETS": "a-b,a_b", "CLONE_A_B_ROOT": "/x"}, "both read CLONE_A_B_* variables"},
		{map[string]string{"CLONE_TARGETS": "a"}, "CLONE_A_ROOT must be set for target 'a'"},
		{map[string]string{"CLONE_TARGETS": "a", "CLONE_A_ROOT": "opt/x"}, "CLONE_A_ROOT must be an absolute path"},
		{map[string]string{"CLONE_TARGETS": "a", "CLONE_A_ROOT": "/x", "CLONE_A_AUTOSTART": "sometimes"}, "CLONE_A_AUTOSTART is not a boolean, got 'sometimes'"},
		{map[string]string{"CLONE_TARGETS": "a", "CLONE_A_ROOT": "/x", "CLONE_A_CERT_COPY": "2"}, "CLONE_A_CERT_COPY is not a boolean"},
		{map[string]string{"CLONE_TARGETS": "a", "CLONE_A_ROOT": "/x", "CLONE_A_DB_DIR": "../../etc"}, "CLONE_A_DB_DIR must be a directory inside CLONE_A_ROOT"},
	}
	for _, c := range cases {
		_, err := Clone{Targets: c.vars["CLONE_TARGETS"]}.stacks(env(c.vars), "nb")
		require.Error(t, err, c.vars)
		require.Contains(t, err.Error(), c.want, c.vars)
	}
}

// Through Stacks a bad value is a configuration error naming its variable.
func TestStacksNameTheVariableAsConfigurationErrors(t *testing.T) {
	t.Setenv("CLONE_A_ROOT", "opt/x")
	_, err := Clone{Targets: "a"}.Stacks("nb")
	var ce *Error
	require.ErrorAs(t, err, &ce)
	require.Equal(t, "CLONE_A_ROOT", ce.Var)
	require.EqualError(t, err, "config: CLONE_A_ROOT must be an absolute path on the standby, got 'opt/x'")
}

// The primary's public name comes from CLONE_PRIMARY_HOST, else from an
// https NB_URL; an http NB_URL is an address on the Docker network.
func TestThePrimarysNameAndAPI(t *testing.T) {
	host, api, err := Clone{}.Primary(NetBird{URL: "https://nb.example.com:8443/api"})
	require.NoError(t, err)
	require.Equal(t, "nb.example.com", host)
	require.Equal(t, "https://nb.example.com:8443", api)
	_, _, err = Clone{}.Primary(NetBird{URL: "http://management:80"})
	require.EqualError(t, err, "config: CLONE_PRIMARY_HOST is not set and NB_URL=http://management:80 is an internal address; expected the primary's public name, e.g. netbird.example.com")
	host, _, err = Clone{PrimaryHost: "nb.example.com"}.Primary(NetBird{URL: "http://management:80"})
	require.NoError(t, err)
	require.Equal(t, "nb.example.com", host)
	_, _, err = Clone{}.Primary(NetBird{})
	require.ErrorContains(t, err, "NB_URL must be set")

	t.Setenv("CLONE_A_ROOT", "/a")
	t.Setenv("CLONE_A_CERT_COPY", "yes")
	_, err = Clone{Targets: "a"}.Stacks("nb")
	require.EqualError(t, err, "config: CLONE_A_CERT_COPY=true needs CLONE_ACME_SOURCE, CLONE_ACME_REMOTE and CLONE_INGRESS_ROOT (where the certificates come from and go to); expected all three, or false")
}
