package clone

import "github.com/styliteag/birdseye/internal/sshremote"

// composeFunc defines dc, the stack's compose command, in the generated
// scripts: the docker compose plugin where it is installed, else the older
// docker-compose. ROOT, PROJECT and COMPOSE are set before it is called.
const composeFunc = `if docker compose version >/dev/null 2>&1; then
  dc() { docker compose -p "$PROJECT" --project-directory "$ROOT" -f "$ROOT/$COMPOSE" "$@"; }
else
  dc() { docker-compose -p "$PROJECT" --project-directory "$ROOT" -f "$ROOT/$COMPOSE" "$@"; }
fi`

// composeEnv sets the target's stack and defines dc, for a command run on
// the standby.
func (t Target) composeEnv() string {
	return "ROOT=" + sshremote.Quote(t.Root) + "; PROJECT=" + sshremote.Quote(t.Project) + "; COMPOSE=" + sshremote.Quote(t.Compose) + "\n" + composeFunc + "\n"
}
