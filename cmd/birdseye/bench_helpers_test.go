package main

import (
	"encoding/pem"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/styliteag/birdseye/internal/netbird/fake"
	"github.com/styliteag/birdseye/internal/sink/mattermost/mmfake"
)

// newTLSAPIForBench serves the fake API over HTTPS, as a real deployment
// reaches NetBird, and returns NB_CA_FILE for its certificate: the client
// then loads its CA roots (the system's, or the embedded ones) plus that one.
func newTLSAPIForBench(b *testing.B) (*fake.Server, string, string) {
	f := fake.New()
	srv := httptest.NewUnstartedServer(f)
	srv.EnableHTTP2 = true // NetBird behind Caddy or Traefik speaks HTTP/2
	srv.StartTLS()
	b.Cleanup(srv.Close)
	ca := filepath.Join(b.TempDir(), "ca.pem")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(ca, pemBytes, 0o600); err != nil {
		b.Fatal(err)
	}
	return f, srv.URL, ca
}

func newMattermostForBench(b *testing.B) (*mmfake.Server, string) {
	mm := mmfake.New(mmHook)
	srv := httptest.NewServer(mm)
	b.Cleanup(srv.Close)
	return mm, srv.URL + "/hooks/" + mmHook
}

func startBench(b *testing.B, env []string) *exec.Cmd {
	cmd := exec.Command(binPath, "run")
	cmd.Env = env
	cmd.Dir = b.TempDir()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	return cmd
}
