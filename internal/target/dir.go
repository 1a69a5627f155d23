package target

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"time"
)

// Dir is a directory on this host (a mounted disk or share): file:///dir.
type Dir struct{ Path string }

func (d *Dir) String() string { return "file://" + d.Path }

func (d *Dir) Put(_ context.Context, name, local string) error {
	want, size, err := fileSum(local)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(d.Path, 0o700); err != nil {
		return err
	}
	if entries, err := os.ReadDir(d.Path); err == nil {
		for _, e := range entries {
			if fi, err := e.Info(); err == nil && stalePartial(fi, time.Now()) {
				os.Remove(filepath.Join(d.Path, e.Name()))
			}
		}
	}
	partial := filepath.Join(d.Path, partialName(name))
	defer os.Remove(partial)
	in, err := os.Open(local)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(partial, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("%s: %w", d, err)
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("%s: write %s: %w", d, name, err)
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	// Read it back: what the disk holds must be what was written.
	f, err := os.Open(partial)
	if err != nil {
		return err
	}
	h := sha256.New()
	n, err := io.Copy(h, f)
	f.Close()
	if err != nil || n != size || hex.EncodeToString(h.Sum(nil)) != want {
		return fmt.Errorf("%s: %s does not read back as written", d, name)
	}
	return os.Rename(partial, filepath.Join(d.Path, filepath.Base(name)))
}

func (d *Dir) List(context.Context) ([]string, error) {
	entries, err := os.ReadDir(d.Path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", d, err)
	}
	var out []string
	for _, e := range entries {
		if e.Type().IsRegular() {
			out = append(out, e.Name())
		}
	}
	sort.Strings(out)
	return out, nil
}

func (d *Dir) Delete(_ context.Context, name string) error {
	return os.Remove(filepath.Join(d.Path, filepath.Base(name)))
}

func (d *Dir) Check(context.Context) (string, error) {
	fi, err := os.Stat(d.Path)
	if err != nil || !fi.IsDir() {
		return "", fmt.Errorf("%s is not a directory (mount the disk there)", d)
	}
	f, err := os.CreateTemp(d.Path, ".birdseye-doctor-*")
	if err != nil {
		return "", fmt.Errorf("%s is not writable: %w", d, err)
	}
	f.Close()
	os.Remove(f.Name())
	return d.String() + ": writable", nil
}

func (d *Dir) Get(_ context.Context, name string, w io.Writer) error {
	f, err := os.Open(filepath.Join(d.Path, filepath.Base(name)))
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(w, f)
	return err
}
