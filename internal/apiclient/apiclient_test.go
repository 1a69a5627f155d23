package apiclient

import (
	"encoding/pem"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/config"
	"github.com/styliteag/birdseye/internal/event"
	"github.com/styliteag/birdseye/internal/netbird/fake"
)

func TestNBCAFileIsReadAndNamedWhenItIsWrong(t *testing.T) {
	srv := httptest.NewTLSServer(fake.New())
	defer srv.Close()
	dir := t.TempDir()
	ca, junk := filepath.Join(dir, "ca.pem"), filepath.Join(dir, "junk.pem")
	require.NoError(t, os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600))
	require.NoError(t, os.WriteFile(junk, []byte("hello"), 0o600))

	c, err := New(config.NetBird{URL: srv.URL, CAFile: ca}, fake.AuditorToken)
	require.NoError(t, err)
	_, err = c.ListAuditEvents(t.Context(), func(event.ID) bool { return true })
	require.NoError(t, err)

	_, err = New(config.NetBird{URL: srv.URL, CAFile: junk}, fake.AuditorToken)
	require.ErrorContains(t, err, "NB_CA_FILE "+junk+" holds no PEM certificate")
	_, err = New(config.NetBird{URL: srv.URL, CAFile: filepath.Join(dir, "missing.pem")}, fake.AuditorToken)
	require.ErrorContains(t, err, "NB_CA_FILE: open ")
}
