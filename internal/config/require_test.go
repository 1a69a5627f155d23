package config

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// Each command's need names the variable and the expected form, and is a
// configuration error (exit 2); what is set passes.
func TestACommandsNeedNamesTheVariable(t *testing.T) {
	for _, c := range []struct {
		err  error
		want string
	}{
		{Backup{}.RequirePaths(), "config: BACKUP_PATHS is not set; expected the paths of NetBird's volumes inside the container"},
		{(&Tool{}).RequireSource(), "config: BACKUP_PATHS and NB_ADMIN_API_KEY are both empty; expected at least one (volumes, API export)"},
		{Backup{}.RequireDir(), "config: BACKUP_DIR is not set; `backup check latest` looks there"},
		{Backup{}.RequirePassword(), "config: BACKUP_ZIP_PASSWORD is not set and there is no terminal to ask on"},
		{ErrNoCompareToken, "config: NB_API_KEY must be set to compare the standby with the primary"},
	} {
		var ce *Error
		require.ErrorAs(t, c.err, &ce)
		require.ErrorContains(t, c.err, c.want)
	}
	require.NoError(t, Backup{Paths: List{"/backup/netbird"}}.RequirePaths())
	require.NoError(t, (&Tool{NetBird: NetBird{AdminKey: "nbp_x"}}).RequireSource())
	require.NoError(t, Backup{Dir: "/backups"}.RequireDir())
	require.NoError(t, Backup{Password: "pw"}.RequirePassword())
}

func TestTheClonesRootsNameTheCAFileThatIsNotOne(t *testing.T) {
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "ca.pem")
	require.NoError(t, os.WriteFile(notPEM, []byte("hello"), 0o600))
	pool, err := Clone{}.Roots(NetBird{})
	require.NoError(t, err)
	require.Nil(t, pool, "nothing set: the system's roots")
	_, err = Clone{CAFile: notPEM}.Roots(NetBird{})
	require.EqualError(t, err, "config: CLONE_CA_FILE="+notPEM+" holds no PEM certificate; expected a CA certificate in PEM form")
	_, err = Clone{}.Roots(NetBird{CAFile: notPEM + ".gone"})
	require.ErrorContains(t, err, "config: NB_CA_FILE="+notPEM+".gone cannot be read (")
}
