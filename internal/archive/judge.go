package archive

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// judge is the one rule for an entry, so that `backup check` never calls
// restorable what `backup extract` refuses: a name that would land outside
// the directory extracted into, or an entry that is neither a file nor a
// directory (a link could point a later entry outside it). birdseye writes
// neither; an archive that holds one was made or changed by something else.
func judge(name string, mode fs.FileMode) error {
	clean := strings.TrimSuffix(name, "/")
	if !filepath.IsLocal(filepath.FromSlash(clean)) || path.Clean(clean) != clean {
		return fmt.Errorf("refusing entry %q: it would be written outside the directory extracted into", name)
	}
	if !mode.IsRegular() && !mode.IsDir() && !strings.HasSuffix(name, "/") {
		return fmt.Errorf("refusing entry %q: a %s; birdseye's archives hold only files and directories", name, kind(mode))
	}
	return nil
}

func kind(m fs.FileMode) string {
	switch {
	case m&fs.ModeSymlink != 0:
		return "symbolic link"
	case m&fs.ModeDevice != 0:
		return "device"
	case m&fs.ModeNamedPipe != 0:
		return "named pipe"
	case m&fs.ModeSocket != 0:
		return "socket"
	}
	return "special entry"
}

// undo remembers what an extract created, to take it back when the extract
// fails: a restore must not go on from half an archive that looks whole.
type undo struct {
	files []string
	dirs  []string
}

// mkdirAll is os.MkdirAll that remembers the directories it made.
func (u *undo) mkdirAll(dir string) error {
	var made []string
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Lstat(d); err == nil || filepath.Dir(d) == d {
			break
		}
		made = append(made, d)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	slices.Reverse(made)
	u.dirs = append(u.dirs, made...)
	return nil
}

// place writes a file under a temporary name beside dst and renames it
// into place only when write succeeded: a failure never leaves a partly
// written file under the final name.
func (u *undo) place(dst string, write func(f *os.File) error) error {
	f, err := os.CreateTemp(filepath.Dir(dst), "."+filepath.Base(dst)+".birdseye-partial-*")
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		os.Remove(f.Name())
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return err
	}
	_, statErr := os.Lstat(dst)
	if err := os.Rename(f.Name(), dst); err != nil {
		os.Remove(f.Name())
		return err
	}
	if os.IsNotExist(statErr) {
		u.files = append(u.files, dst)
	}
	return nil
}

// rollback removes what the extract created, newest first; what was there
// before stays.
func (u *undo) rollback() {
	for _, f := range u.files {
		os.Remove(f)
	}
	for i := len(u.dirs) - 1; i >= 0; i-- {
		os.Remove(u.dirs[i]) // only when empty
	}
}
