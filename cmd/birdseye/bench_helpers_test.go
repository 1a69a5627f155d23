package main

import (
	"net/http/httptest"
	"os/exec"
	"testing"

	"github.com/styliteag/birdseye/internal/netbird/fake"
	"github.com/styliteag/birdseye/internal/sink/mattermost/mmfake"
)

func newAPIForBench(b *testing.B) (*fake.Server, string) {
	f := fake.New()
	srv := httptest.NewServer(f)
	b.Cleanup(srv.Close)
	return f, srv.URL
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
