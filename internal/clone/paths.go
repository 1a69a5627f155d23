package clone

import (
	"fmt"
	"path"
	"path/filepath"
	"strings"
)

// Mode says how a staged path is installed on the standby.
type Mode string

const (
	// Sync makes the standby's copy equal to the staged one, every time.
	Sync Mode = "sync"
	// Seed installs the path only where the standby has none yet, so
	// local edits there survive.
	Seed Mode = "seed"
)

// Path is one entry of CLONE_TARGET_PATHS or CLONE_SHARED_PATHS after
// wildcards are expanded: a path inside the container and where it goes.
type Path struct {
	Local string // inside this container
	Dest  string // relative to the target root, or absolute for shared paths
	Mode  Mode
}

// ParsePaths reads a `local:dest[:sync|seed],…` list. A bare `local` goes to
// its base name, synced. Shared paths (CLONE_SHARED_PATHS) go to absolute
// places on the standby; target paths (CLONE_TARGET_PATHS) stay inside the
// target's root. A wildcard in `local` needs a destination directory; each
// match lands there under its own name, in sorted order.
func ParsePaths(variable, value string, shared bool) ([]Path, error) {
	var out []Path
	for _, item := range strings.Split(value, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		ps, err := parsePath(item, shared)
		if err != nil {
			return nil, fmt.Errorf("%s: '%s': %w", variable, item, err)
		}
		out = append(out, ps...)
	}
	return out, nil
}

func parsePath(item string, shared bool) ([]Path, error) {
	parts := strings.Split(item, ":")
	if len(parts) > 3 {
		return nil, fmt.Errorf("expected local:dest[:sync|seed], got %d parts", len(parts))
	}
	local, dest, mode := parts[0], "", Sync
	if local == "" {
		return nil, fmt.Errorf("expected local:dest[:sync|seed], the local path is empty")
	}
	if len(parts) >= 2 {
		dest = parts[1]
	}
	if len(parts) == 3 {
		switch Mode(parts[2]) {
		case Sync, Seed:
			mode = Mode(parts[2])
		default:
			return nil, fmt.Errorf("the mode must be sync or seed, got '%s'", parts[2])
		}
	}
	wild := strings.ContainsAny(local, "*?[")
	if wild && dest == "" {
		return nil, fmt.Errorf("a wildcard needs a destination directory (local:dir)")
	}
	if dest == "" {
		dest = filepath.Base(local)
	}
	if err := checkDest(dest, shared); err != nil {
		return nil, err
	}
	dest = path.Clean(dest)
	if !wild {
		return []Path{{Local: local, Dest: dest, Mode: mode}}, nil
	}
	matches, err := filepath.Glob(local)
	if err != nil {
		return nil, fmt.Errorf("bad wildcard: %w", err)
	}
	if len(matches) == 0 {
		return nil, fmt.Errorf("matched no files")
	}
	out := make([]Path, 0, len(matches))
	for _, m := range matches { // Glob sorts
		out = append(out, Path{Local: m, Dest: path.Join(dest, filepath.Base(m)), Mode: mode})
	}
	return out, nil
}

// checkDest keeps shared paths absolute and target paths inside the root:
// the old tool let `../x` walk out of a target's directory.
func checkDest(dest string, shared bool) error {
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
