package clone

// composeFunc defines dc, the stack's compose command, in the generated
// scripts: the docker compose plugin where it is installed, else the older
// docker-compose. ROOT, PROJECT and COMPOSE are set before it is called.
const composeFunc = `if docker compose version >/dev/null 2>&1; then
  dc() { docker compose -p "$PROJECT" --project-directory "$ROOT" -f "$ROOT/$COMPOSE" "$@"; }
else
  dc() { docker-compose -p "$PROJECT" --project-directory "$ROOT" -f "$ROOT/$COMPOSE" "$@"; }
fi`
