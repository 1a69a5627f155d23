package mirror

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// snapshotPaths are what the dump holds, as the old tool's did.
var snapshotPaths = []string{"/accounts", "/users", "/peers", "/groups", "/policies", "/networks", "/posture-checks",
	"/setup-keys", "/routes", "/dns/nameservers", "/dns/settings", "/networks/routers"}

// snapshot writes the target's configuration to
// <SnapshotDir>/target-before-<local stamp>.json (0600), so an apply can
// be undone by hand.
func (p *planner) snapshot(ctx context.Context) (string, error) {
	if p.o.SnapshotDir == "" {
		return "", nil
	}
	dump := map[string]any{}
	for _, path := range snapshotPaths {
		raw, err := p.dstW.GetRaw(ctx, path)
		if err != nil {
			dump[strings.TrimPrefix(path, "/")] = map[string]string{"error": err.Error()}
			continue
		}
		dump[strings.TrimPrefix(path, "/")] = raw
	}
	// Each network's resources (routers are in /networks/routers).
	for _, n := range p.dst.lists["/networks"] {
		path := "/networks/" + str(n["id"]) + "/resources"
		if raw, err := p.dstW.GetRaw(ctx, path); err == nil {
			dump[strings.TrimPrefix(path, "/")] = raw
		} else {
			dump[strings.TrimPrefix(path, "/")] = map[string]string{"error": err.Error()}
		}
	}
	b, err := json.MarshalIndent(dump, "", "  ")
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(p.o.SnapshotDir, 0o700); err != nil {
		return "", err
	}
	loc := p.o.Loc
	if loc == nil {
		loc = time.Local
	}
	// A second run in the same second gets a file of its own.
	stamp := "target-before-" + p.o.Now.In(loc).Format("20060102-150405")
	for n := 1; ; n++ {
		file := filepath.Join(p.o.SnapshotDir, stamp+".json")
		if n > 1 {
			file = filepath.Join(p.o.SnapshotDir, fmt.Sprintf("%s-%d.json", stamp, n))
		}
		f, err := os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", err
		}
		if _, err := f.Write(b); err != nil {
			f.Close()
			return "", err
		}
		return file, f.Close()
	}
}
