package state

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"time"
)

// tempName matches the temporary files birdseye makes in the state
// directory: WriteAtomic's ".<name>.tmp-<digits>" and the healthcheck's
// ".healthcheck-<digits>" probe.
var tempName = regexp.MustCompile(`^\.(.+\.tmp|healthcheck)-[0-9]+$`)

// sweepAge is how old a temporary file must be to be taken as left by a
// crash: a write takes milliseconds, and another process (a command run by
// hand, the healthcheck) may be in the middle of one.
const sweepAge = time.Minute

// Sweep removes the temporary files a crash (kill -9, a power cut) left in
// the state directory and below it, and returns how many. Nothing else is
// touched.
func Sweep(dir string, now time.Time) (int, error) {
	n := 0
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == dir {
				return err
			}
			return nil // an unreadable corner is reported by what uses it
		}
		if !d.Type().IsRegular() || !tempName.MatchString(d.Name()) {
			return nil
		}
		fi, err := d.Info()
		if err != nil || now.Sub(fi.ModTime()) < sweepAge {
			return nil
		}
		if os.Remove(p) == nil {
			n++
		}
		return nil
	})
	return n, err
}
