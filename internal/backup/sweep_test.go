package backup

import (
	"bytes"
	"context"
	"errors"
	"io"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/target"
)

// sweepingTarget is a target whose uploads fail and whose cleaning of what
// a killed run left (S3: incomplete multipart uploads) fails too.
type sweepingTarget struct {
	sweeps int
	puts   int
}

func (s *sweepingTarget) String() string { return "s3://netbird-backups/prod" }
func (s *sweepingTarget) Put(context.Context, string, string) error {
	s.puts++
	return errors.New("HTTP 503 SlowDown")
}
func (s *sweepingTarget) List(context.Context) ([]string, error)       { return nil, nil }
func (s *sweepingTarget) Delete(context.Context, string) error         { return nil }
func (s *sweepingTarget) Get(context.Context, string, io.Writer) error { return nil }
func (s *sweepingTarget) Check(context.Context) (string, error)        { return "", nil }
func (s *sweepingTarget) Sweep(context.Context) (int, error) {
	s.sweeps++
	return 0, errors.New("list multipart uploads: HTTP 403 AccessDenied")
}

var _ target.Target = (*sweepingTarget)(nil)

// What a killed run left on a target is cleaned before every upload, not
// only after one that succeeded (a target that keeps failing kept its
// stale parts for good), and a cleaning that fails is said, with the
// lifecycle rule as the other way.
func TestATargetIsSweptBeforeEachUploadAndAFailedSweepIsSaid(t *testing.T) {
	src := filepath.Join(t.TempDir(), "netbird")
	mkfile(t, filepath.Join(src, "management.json"), `{"DataStoreEncryptionKey":"k"}`)
	tg := &sweepingTarget{}
	var log bytes.Buffer
	_, code := Run(t.Context(), RunConfig{Options: Options{Paths: []string{src}, Label: "prod", Password: pass}, Targets: []target.Target{tg}, Version: "test"}, time.Now(), &log)
	require.Equal(t, 1, code)
	require.Equal(t, 1, tg.puts)
	require.Equal(t, 1, tg.sweeps, "swept although the upload failed")
	require.Contains(t, log.String(), "warning: s3://netbird-backups/prod: what a killed run left was not cleaned: list multipart uploads: HTTP 403 AccessDenied")
	require.Contains(t, log.String(), "lifecycle rule")
}
