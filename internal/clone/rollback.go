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
if [ -z "$snap" ]; then
  echo "no rollback snapshot in $ROOT/snapshots: nothing was installed there yet" >&2
  exit 3
fi
snap=${snap%/}
echo "rolling {{.T.Name}} back to $snap"
dc down --remove-orphans || true
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
		T            Target
		DBs, Configs []string
	}{t, dbs, configs}); err != nil {
		return fmt.Errorf("render the rollback: %w", err)
	}
	if err := s.Shell.Stream(ctx, "bash -c "+sshremote.Quote(b.String()), w); err != nil {
		return fmt.Errorf("rollback of %s FAILED: %w", t.Name, err)
	}
	return nil
}
