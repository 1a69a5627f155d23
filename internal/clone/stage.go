package clone

import (
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// StagePlan is everything `clone stage` copies, resolved from CLONE_*.
type StagePlan struct {
	Dir         string // CLONE_STAGE_DIR, wiped and refilled
	Primary     string // the primary's host name, rewritten in per-target config copies
	DBPaths     []string
	ConfigFiles []string
	TargetPaths []Path
	SharedPaths []Path
	ACMESource  string // the ingress's ACME store, "" when none
	Targets     []Target
	MinRows     map[string]int
	Images      map[string]string // repository -> digest, resolved by the caller
	ImageTags   map[string]string // repository -> tag the primary runs, when not latest
	SourceHost  string
	Now         time.Time
	// For the generated scripts.
	Keep      int    // CLONE_KEEP_SNAPSHOTS
	Failover  Target // the stack failover.sh starts
	StandbyIP string // for failover.sh's DNS advice; "" = unknown
	// StandbyPort is the port in CLONE_STANDBY_IP, where failover.sh
	// probes the API as verify does; "" = the HTTPS port.
	StandbyPort string
	Port        string // the primary's HTTPS port (NB_URL's), "" = 443
}

// PathEntry records where a staged path goes, so the standby's install
// needs no knowledge of this container's configuration.
type PathEntry struct {
	Staged string `json:"staged"` // target/<n> or shared/<n>
	Dest   string `json:"dest"`
	Mode   Mode   `json:"mode"`
	Dir    bool   `json:"dir"`
}

// Stage fills plan.Dir with the payload: db/, files/, files-<target>/,
// target/<n>, shared/<n>, acme.json, images.txt, MANIFEST.json and
// SHA256SUMS. It reads only; nothing of the primary is changed.
func Stage(plan StagePlan, w io.Writer) (*Manifest, error) {
	if err := plan.check(); err != nil {
		return nil, err
	}
	if err := os.RemoveAll(plan.Dir); err != nil {
		return nil, fmt.Errorf("clear CLONE_STAGE_DIR: %w", err)
	}
	if err := os.MkdirAll(plan.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("create CLONE_STAGE_DIR: %w", err)
	}
	// First in: a stage cut short is still known as one next time.
	if err := writeFile(filepath.Join(plan.Dir, PayloadMark), []byte("birdseye clone stage: wiped at each stage\n"), 0o600); err != nil {
		return nil, err
	}
	dbs, err := SnapshotDatabases(plan.DBPaths, plan.Dir, plan.MinRows)
	if dbs != nil {
		dbs.Text(w)
	}
	if err != nil {
		return nil, err
	}
	m := &Manifest{
		Created: plan.Now.Format(time.RFC3339), SourceHost: plan.SourceHost, Primary: plan.Primary,
		Targets: map[string]string{}, Counts: dbs.Counts, Images: plan.Images, ImageTags: plan.ImageTags,
	}
	for _, t := range plan.Targets {
		m.Targets[t.Name] = t.Root
	}
	for _, f := range plan.ConfigFiles {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("CLONE_CONFIG_FILES: %w", err)
		}
		if err := writeFile(filepath.Join(plan.Dir, "files", filepath.Base(f)), b, 0o600); err != nil {
			return nil, err
		}
		for _, t := range plan.Targets {
			if t.Host == plan.Primary || plan.Primary == "" {
				continue
			}
			// A stack that answers for another name gets its own copy.
			out := strings.ReplaceAll(string(b), plan.Primary, t.Host)
			if err := writeFile(filepath.Join(plan.Dir, "files-"+t.Name, filepath.Base(f)), []byte(out), 0o600); err != nil {
				return nil, err
			}
		}
	}
	if m.TargetPaths, err = stagePaths(plan.TargetPaths, plan.Dir, "target", 0o600); err != nil {
		return nil, err
	}
	if m.SharedPaths, err = stagePaths(plan.SharedPaths, plan.Dir, "shared", 0o644); err != nil {
		return nil, err
	}
	if plan.ACMESource != "" {
		b, err := os.ReadFile(plan.ACMESource)
		if err != nil {
			return nil, fmt.Errorf("CLONE_ACME_SOURCE: %w", err)
		}
		if err := writeFile(filepath.Join(plan.Dir, "acme.json"), b, 0o600); err != nil {
			return nil, err
		}
	}
	var images strings.Builder
	for _, repo := range slices.Sorted(maps.Keys(plan.Images)) {
		fmt.Fprintf(&images, "%s %s\n", repo, plan.Images[repo])
	}
	if err := writeFile(filepath.Join(plan.Dir, "images.txt"), []byte(images.String()), 0o600); err != nil {
		return nil, err
	}
	if err := plan.writeScripts(m, dbs); err != nil {
		return nil, err
	}
	if err := WriteManifest(plan.Dir, m); err != nil {
		return nil, err
	}
	return m, nil
}

// check refuses a plan whose sources are missing or whose stage directory
// lies inside something it copies (staging would copy itself).
func (plan StagePlan) check() error {
	dir, err := filepath.Abs(plan.Dir)
	if err != nil || plan.Dir == "" || dir == "/" {
		return fmt.Errorf("CLONE_STAGE_DIR must be a directory of its own (it is wiped at each run), got '%s'", plan.Dir)
	}
	// It is wiped: never one that holds something else (the state
	// directory, a mounted volume).
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		_, mark := os.Stat(filepath.Join(dir, PayloadMark))
		_, manifest := os.Stat(filepath.Join(dir, ManifestName))
		if mark != nil && manifest != nil {
			return fmt.Errorf("CLONE_STAGE_DIR (%s) holds %d entries and is not a stage (no %s or %s); it is wiped at each stage, so nothing was touched: point it at a directory of its own, e.g. %s",
				dir, len(entries), ManifestName, PayloadMark, filepath.Join(dir, "clone-stage"))
		}
	}
	var sources, missing []string
	sources = append(sources, plan.DBPaths...)
	sources = append(sources, plan.ConfigFiles...)
	for _, p := range append(append([]Path{}, plan.TargetPaths...), plan.SharedPaths...) {
		sources = append(sources, p.Local)
	}
	if plan.ACMESource != "" {
		sources = append(sources, plan.ACMESource)
	}
	for _, s := range sources {
		if _, err := os.Stat(s); err != nil {
			missing = append(missing, s)
			continue
		}
		abs, _ := filepath.Abs(s)
		if rel, err := filepath.Rel(abs, dir); err == nil && rel != ".." && !strings.HasPrefix(rel, "../") {
			return fmt.Errorf("CLONE_STAGE_DIR (%s) is inside %s, which this run has to copy — staging would recurse into its own payload. Point CLONE_STAGE_DIR elsewhere (default /var/tmp/birdseye-clone-stage)", dir, s)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("these paths are configured but not present inside the container: %s", strings.Join(missing, ", "))
	}
	// Config files are copied once more for each target with its own name.
	copies := int64(1)
	for _, t := range plan.Targets {
		if t.Host != plan.Primary && plan.Primary != "" {
			copies++
		}
	}
	var need int64
	for _, s := range sources {
		need += treeSize(s) + treeSize(s+"-wal")
	}
	for _, f := range plan.ConfigFiles {
		need += (copies - 1) * treeSize(f)
	}
	return roomToStage(dir, need)
}

// roomToStage refuses a stage that cannot fit need bytes: the default
// directory is a tmpfs in the container (memory), and a large events.db
// would fill it. Any previous stage in dir is wiped first, so it counts as
// free.
func roomToStage(dir string, need int64) error {
	old := treeSize(dir)
	probe := dir
	for {
		if _, err := os.Stat(probe); err == nil || probe == filepath.Dir(probe) {
			break
		}
		probe = filepath.Dir(probe)
	}
	var st syscall.Statfs_t
	if err := syscall.Statfs(probe, &st); err != nil {
		return nil // cannot tell: the copy says so if it fails
	}
	if free := int64(st.Bavail)*st.Bsize + old; free < need {
		return fmt.Errorf("CLONE_STAGE_DIR (%s) has %.1f MB free; the snapshots and copies need about %.1f MB. Point CLONE_STAGE_DIR at a directory on disk, e.g. /var/lib/birdseye/clone-stage (the default /var/tmp is in memory in the container)",
			dir, float64(free)/1e6, float64(need)/1e6)
	}
	return nil
}

// treeSize is the bytes of the regular files at p (a file or a
// directory); 0 when there is nothing.
func treeSize(p string) int64 {
	var n int64
	filepath.WalkDir(p, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

// stagePaths copies each path to <kind>/<n>, n counting from 0.
func stagePaths(paths []Path, dir, kind string, mode os.FileMode) ([]PathEntry, error) {
	var out []PathEntry
	for i, p := range paths {
		staged := kind + "/" + strconv.Itoa(i)
		fi, err := os.Stat(p.Local)
		if err != nil {
			return nil, fmt.Errorf("stage %s: %w", p.Local, err)
		}
		if err := copyTree(p.Local, filepath.Join(dir, filepath.FromSlash(staged)), mode); err != nil {
			return nil, err
		}
		out = append(out, PathEntry{Staged: staged, Dest: p.Dest, Mode: p.Mode, Dir: fi.IsDir()})
	}
	return out, nil
}

// copyTree copies a file or a directory's regular files; links and devices
// are skipped, as a payload must hold only what it can check.
func copyTree(src, dst string, mode os.FileMode) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("stage %s: %w", p, err)
		}
		rel, _ := filepath.Rel(src, p)
		to := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(to, 0o700)
		case d.Type().IsRegular():
			b, err := os.ReadFile(p)
			if err != nil {
				return fmt.Errorf("stage %s: %w", p, err)
			}
			return writeFile(to, b, mode)
		}
		return nil
	})
}

func writeFile(p string, b []byte, mode os.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return fmt.Errorf("stage %s: %w", p, err)
	}
	if err := os.WriteFile(p, b, mode); err != nil {
		return fmt.Errorf("stage %s: %w", p, err)
	}
	return os.Chmod(p, mode)
}

// writeScripts renders install.sh and failover.sh into the payload; the
// manifest then covers them too, so a damaged script is caught as well.
func (plan StagePlan) writeScripts(m *Manifest, dbs *Databases) error {
	var dbNames, configs []string
	for _, f := range dbs.Files {
		dbNames = append(dbNames, f.Name)
	}
	for _, f := range plan.ConfigFiles {
		configs = append(configs, filepath.Base(f))
	}
	install, err := InstallScript{Targets: plan.Targets, DBFiles: dbNames, ConfigFiles: configs,
		TargetPaths: m.TargetPaths, SharedPaths: m.SharedPaths, Images: m.Images, ImageTags: m.ImageTags, Keep: plan.Keep, Counts: countsText(m.Counts)}.Render()
	if err != nil {
		return err
	}
	failover, err := FailoverScript{Target: plan.Failover, Primary: plan.Primary, StandbyIP: plan.StandbyIP, Port: plan.Port, ProbePort: plan.StandbyPort}.Render()
	if err != nil {
		return err
	}
	if err := writeFile(filepath.Join(plan.Dir, "install.sh"), install, 0o700); err != nil {
		return err
	}
	return writeFile(filepath.Join(plan.Dir, "failover.sh"), failover, 0o700)
}
