package config

import (
	"fmt"
	"path"
	"path/filepath"
	"strconv"
	"strings"
)

// ClonePath is one entry of CLONE_TARGET_PATHS or CLONE_SHARED_PATHS after
// wildcards are expanded: a path inside the container, where it goes, and
// how (sync: always made equal; seed: installed only where the standby has
// none, so local edits there survive).
type ClonePath struct {
	Local string // inside this container
	Dest  string // relative to the target root, or absolute for shared paths
	Mode  string // sync or seed
}

// TargetPathList is CLONE_TARGET_PATHS: each destination inside the
// target's root.
func (c Clone) TargetPathList() ([]ClonePath, error) {
	return parseClonePaths("CLONE_TARGET_PATHS", c.TargetPaths, false)
}

// SharedPathList is CLONE_SHARED_PATHS: absolute destinations on the standby.
func (c Clone) SharedPathList() ([]ClonePath, error) {
	return parseClonePaths("CLONE_SHARED_PATHS", c.SharedPaths, true)
}

// parseClonePaths reads a `local:dest[:sync|seed],…` list. A bare `local`
// goes to its base name, synced. A wildcard in `local` needs a destination
// directory; each match lands there under its own name, in sorted order.
func parseClonePaths(variable, value string, shared bool) ([]ClonePath, error) {
	var out []ClonePath
	for _, item := range strings.Split(value, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		ps, err := parseClonePath(item, shared)
		if err != nil {
			return nil, &Error{Var: variable, Msg: fmt.Sprintf("'%s': %v", item, err)}
		}
		out = append(out, ps...)
	}
	return out, nil
}

func parseClonePath(item string, shared bool) ([]ClonePath, error) {
	parts := strings.Split(item, ":")
	if len(parts) > 3 {
		return nil, fmt.Errorf("expected local:dest[:sync|seed], got %d parts", len(parts))
	}
	local, dest, mode := parts[0], "", "sync"
	if local == "" {
		return nil, fmt.Errorf("expected local:dest[:sync|seed], the local path is empty")
	}
	if len(parts) >= 2 {
		dest = parts[1]
	}
	if len(parts) == 3 {
		if parts[2] != "sync" && parts[2] != "seed" {
			return nil, fmt.Errorf("the mode must be sync or seed, got '%s'", parts[2])
		}
		mode = parts[2]
	}
	wild := strings.ContainsAny(local, "*?[")
	if wild && dest == "" {
		return nil, fmt.Errorf("a wildcard needs a destination directory (local:dir)")
	}
	if dest == "" {
		dest = filepath.Base(local)
	}
	if err := checkCloneDest(dest, shared); err != nil {
		return nil, err
	}
	dest = path.Clean(dest)
	if !wild {
		return []ClonePath{{Local: local, Dest: dest, Mode: mode}}, nil
	}
	matches, err := filepath.Glob(local)
	if err != nil {
		return nil, fmt.Errorf("bad wildcard: %w", err)
	}
	if len(matches) == 0 {
		return nil, fmt.Errorf("matched no files")
	}
	out := make([]ClonePath, 0, len(matches))
	for _, m := range matches { // Glob sorts
		out = append(out, ClonePath{Local: m, Dest: path.Join(dest, filepath.Base(m)), Mode: mode})
	}
	return out, nil
}

// checkCloneDest keeps shared paths absolute and target paths inside the
// root: the old tool let `../x` walk out of a target's directory.
func checkCloneDest(dest string, shared bool) error {
	if shared {
		if !path.IsAbs(dest) {
			return fmt.Errorf("a shared destination must be absolute, got '%s'", dest)
		}
		if path.Clean(dest) == "/" {
			return fmt.Errorf("a shared destination cannot be /")
		}
		return nil
	}
	if path.IsAbs(dest) {
		return fmt.Errorf("a target destination is relative to the target's root, got '%s'", dest)
	}
	if c := path.Clean(dest); c == "." || c == ".." || strings.HasPrefix(c, "../") {
		return fmt.Errorf("a target destination must stay inside the target's root, got '%s'", dest)
	}
	return nil
}

// MinRowsMap is CLONE_MIN_ROWS ("table:count,…"): the rows a snapshot must
// hold at least. An empty value means no guard.
func (c Clone) MinRowsMap() (map[string]int, error) {
	out := map[string]int{}
	for _, item := range strings.Split(c.MinRows, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		table, count, ok := strings.Cut(item, ":")
		n, err := strconv.Atoi(strings.TrimSpace(count))
		table = strings.TrimSpace(table)
		if !ok || err != nil || n < 0 || table == "" || strings.ContainsAny(table, `"' `) {
			return nil, &Error{Var: "CLONE_MIN_ROWS", Msg: fmt.Sprintf("expected table:count (e.g. accounts:1,peers:1), got %q", item)}
		}
		out[table] = n
	}
	return out, nil
}

// Failover is the stack `failover` and `drill` act on:
// CLONE_FAILOVER_TARGET, else the first that is not kept running (a cold
// standby), else the first.
func (c Clone) Failover(stacks []CloneStack) (CloneStack, error) {
	if want := strings.TrimSpace(c.FailoverTarget); want != "" {
		names := make([]string, len(stacks))
		for i, s := range stacks {
			if s.Name == want {
				return s, nil
			}
			names[i] = s.Name
		}
		return CloneStack{}, &Error{Var: "CLONE_FAILOVER_TARGET", Msg: fmt.Sprintf("='%s' is not in CLONE_TARGETS (%s)", want, strings.Join(names, ", "))}
	}
	for _, s := range stacks {
		if !s.Autostart {
			return s, nil
		}
	}
	if len(stacks) == 0 {
		return CloneStack{}, &Error{Var: "CLONE_TARGETS", Msg: "names no target; expected at least one stack name"}
	}
	return stacks[0], nil
}
