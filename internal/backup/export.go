package backup

import (
	"bytes"
	"context"
	"path/filepath"
	"time"

	"github.com/styliteag/birdseye/internal/export"
)

// ExportReport says what an API export archive holds.
type ExportReport struct {
	File     string
	Size     int64
	Manifest *export.Manifest
}

// Export reads the configuration through the API and writes it, with its
// manifest and the extra files (the by-name document), into
// netbirdexport-<label>-<time>.zip in o.OutDir.
func Export(ctx context.Context, api export.API, o Options, nbURL, version string, now time.Time, extra ...export.File) (*ExportReport, error) {
	files, m, err := export.Run(ctx, api, nbURL, version, now)
	if err != nil {
		return &ExportReport{Manifest: m}, err
	}
	files = append(files, extra...)
	r := &ExportReport{File: filepath.Join(o.OutDir, ArchiveName("netbirdexport", o.Label, now, o.Ext())), Manifest: m}
	size, err := writeArchive(r.File, o, func(w packer) error {
		if err := w.AddDir("export", 0o700, now); err != nil {
			return err
		}
		for _, file := range files {
			if _, err := w.Add(file.Name, bytes.NewReader(file.Body), 0o600, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return r, err
	}
	r.Size = size
	return r, nil
}
