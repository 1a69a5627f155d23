package clone

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/template"

	"github.com/styliteag/birdseye/internal/sshremote"
)

var rollbackTmpl = template.Must(template.New("rollback").Funcs(template.FuncMap{"q": sshremote.Quote, "dc": func() string { return composeFunc }}).Parse(`set -euo pipefail
ROOT={{q .T.Root}}; PROJECT={{q .T.Project}}; COMPOSE={{q .T.Compose}}; DBDIR={{q .T.DBDir}}
{{dc}}
snap=$(ls -1d "$ROOT"/snapshots/*/ 2>/dev/null | sort -r | head -n 1 || true)
if [ -e "$ROOT/{{.Live}}" ] && [ "${BIRDSEYE_AFTER_FAILOVER:-}" != yes ]; then
  echo "{{.T.Name}} is the live server since $(head -n 1 "$ROOT/{{.Live}}") (failover.sh ran there): not rolled back; nothing was changed" >&2
  exit 3
fi
if [ -z "$snap" ]; then
  echo "no rollback snapshot in $ROOT/snapshots: nothing was installed there yet" >&2
  exit 3
fi
snap=${snap%/}
echo "rolling {{.T.Name}} back to $snap"
dc down --remove-orphans
# What is replaced is kept too, as an install keeps it: a second rollback
# undoes the first.
stamp=$(date +%Y%m%d-%H%M%S)
before="$ROOT/snapshots/$stamp-before-rollback"
mkdir -p "$before"
{{- range .DBs}}
[ -f "$ROOT/$DBDIR/"{{q .}} ] && cp -a "$ROOT/$DBDIR/"{{q .}} "$before/" || true
{{- end}}
{{- range .Configs}}
[ -f "$ROOT/"{{q .}} ] && cp -a "$ROOT/"{{q .}} "$before/" || true
{{- end}}
[ -f "$ROOT/{{.Installed}}" ] && cp -a "$ROOT/{{.Installed}}" "$before/" || true
echo "what it replaces is kept in: $before"
kept=""
{{- range .DBs}}
if [ -f "$snap/"{{q .}} ]; then
  rm -f "$ROOT/$DBDIR/"{{q .}}-wal "$ROOT/$DBDIR/"{{q .}}-shm
  install -D -m 600 "$snap/"{{q .}} "$ROOT/$DBDIR/"{{q .}}
else kept="$kept "{{q .}}; fi
{{- end}}
{{- range .Configs}}
if [ -f "$snap/"{{q .}} ]; then install -m 600 "$snap/"{{q .}} "$ROOT/"{{q .}}; else kept="$kept "{{q .}}; fi
{{- end}}
[ -z "$kept" ] || echo "not in the snapshot, left as installed:$kept"
# The snapshot's record says what it holds; without one, what is known.
if [ -f "$snap/{{.Installed}}" ]; then install -m 644 "$snap/{{.Installed}}" "$ROOT/{{.Installed}}"
else printf 'installed=unknown\nstaging=unknown\n' > "$ROOT/{{.Installed}}"; fi
printf 'rolled_back=%s\nfrom_snapshot=%s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(basename "$snap")" >> "$ROOT/{{.Installed}}"
{{- if .T.Autostart}}
dc up -d
{{- else}}
dc ps || true
{{- end}}
echo "rollback of {{.T.Name}} done"
`))

// Rollback puts back what the newest rollback snapshot of the target
// holds (taken by install.sh before it installed), then starts the stack
// again when it is kept running. The names come from the manifest.
func (s Standby) Rollback(ctx context.Context, t Target, w io.Writer) error {
	m, err := s.Manifest()
	if err != nil {
		return err
	}
	if err := s.refuseLive(t, "a rollback"); err != nil {
		return err
	}
	var dbs, configs []string
	for name := range m.Files {
		if rest, ok := strings.CutPrefix(name, "db/"); ok {
			dbs = append(dbs, rest)
		} else if rest, ok := strings.CutPrefix(name, "files/"); ok {
			configs = append(configs, rest)
		}
	}
	slices.Sort(dbs)
	slices.Sort(configs)
	var b bytes.Buffer
	if err := rollbackTmpl.Execute(&b, struct {
		T               Target
		DBs, Configs    []string
		Live, Installed string
	}{t, dbs, configs, LiveMark, InstalledMark}); err != nil {
		return fmt.Errorf("render the rollback: %w", err)
	}
	if err := s.Shell.Stream(ctx, s.env()+"bash -c "+sshremote.Quote(b.String()), w); err != nil {
		if code, ok := sshremote.ExitStatus(err); ok && code == 3 {
			return fmt.Errorf("rollback of %s refused, nothing on the standby was changed: %w", t.Name, err)
		}
		return fmt.Errorf("rollback of %s FAILED: %w", t.Name, err)
	}
	return nil
}
