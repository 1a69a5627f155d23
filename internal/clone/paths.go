package clone

// Mode says how a staged path is installed on the standby.
type Mode string

const (
	// Sync makes the standby's copy equal to the staged one, every time.
	Sync Mode = "sync"
	// Seed installs the path only where the standby has none yet, so
	// local edits there survive.
	Seed Mode = "seed"
)

// Path is one entry of CLONE_TARGET_PATHS or CLONE_SHARED_PATHS as config
// read it (config.ClonePath): a path inside the container and where it goes.
type Path struct {
	Local string // inside this container
	Dest  string // relative to the target root, or absolute for shared paths
	Mode  Mode
}
