package clone

import (
	"context"
	"fmt"
	"os"
	"path"
	"strings"

	"github.com/styliteag/birdseye/internal/sshremote"
)

// Check is doctor's look at the clone, as a refresh would start: the
// databases are here, the standby answers over SSH with the tools
// install.sh needs, and what is staged and installed there. It changes
// nothing on either side.
func Check(ctx context.Context, o Options) (string, error) {
	for _, p := range o.Plan.DBPaths {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("CLONE_DB_PATHS: %s is not here: %w", p, err)
		}
	}
	c, err := o.Dial(ctx)
	if err != nil {
		return "", err
	}
	defer c.Close()
	tools := `command -v bash >/dev/null && command -v sha256sum >/dev/null || { echo "bash or sha256sum missing"; exit 1; }
docker compose version >/dev/null 2>&1 || docker-compose version >/dev/null 2>&1 || { echo "neither docker compose nor docker-compose works"; exit 1; }`
	if out, err := c.Run(ctx, "sh -c "+sshremote.Quote(tools)); err != nil {
		return "", fmt.Errorf("the standby %s cannot run install.sh: %s", o.Remote.Addr(), strings.TrimSpace(out))
	}
	s := Standby{Shell: c, Payload: o.Payload}
	parts := []string{o.Remote.Addr() + ": connected; bash, sha256sum and docker compose there"}
	if m, err := s.Manifest(); err != nil {
		parts = append(parts, err.Error())
	} else {
		parts = append(parts, fmt.Sprintf("staged %s for %s", m.Created, m.Primary))
	}
	t := o.Failover()
	if _, err := c.SFTP().Stat(path.Join(t.Root, t.DBDir)); err != nil {
		parts = append(parts, "failover target "+t.Name+" has nothing installed yet")
	} else {
		parts = append(parts, "failover target "+t.Name+" installed")
	}
	return strings.Join(parts, "; "), nil
}
