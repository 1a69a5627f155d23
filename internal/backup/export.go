package backup

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/styliteag/birdseye/internal/archive"
	"github.com/styliteag/birdseye/internal/export"
)

// ExportReport says what an API export archive holds.
type ExportReport struct {
	File     string
	Size     int64
	Manifest *export.Manifest
}

// Export reads the configuration through the API and writes it, with its
// manifest, into netbirdexport-<label>-<time>.zip in o.OutDir.
func Export(ctx context.Context, api export.API, o Options, nbURL, version string, now time.Time) (*ExportReport, error) {
	files, m, err := export.Run(ctx, api, nbURL, version, now)
	if err != nil {
		return &ExportReport{Manifest: m}, err
	}
	r := &ExportReport{File: filepath.Join(o.OutDir, ArchiveName("netbirdexport", o.Label, now)), Manifest: m}
	partial := r.File + ".partial"
	f, err := os.OpenFile(partial, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return r, fmt.Errorf("create archive: %w", err)
	}
	defer os.Remove(partial)
	w := archive.NewWriter(f, o.Password)
	if err := w.AddDir("export", 0o700, now); err != nil {
		f.Close()
		return r, err
	}
	for _, file := range files {
		if _, err := w.Add(file.Name, bytes.NewReader(file.Body), 0o600, now); err != nil {
			f.Close()
			return r, err
		}
	}
	if err := w.Close(); err != nil {
		f.Close()
		return r, err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return r, err
	}
	if err := f.Close(); err != nil {
		return r, err
	}
	if err := os.Rename(partial, r.File); err != nil {
		return r, err
	}
	fi, err := os.Stat(r.File)
	if err != nil {
		return r, err
	}
	r.Size = fi.Size()
	return r, nil
}
