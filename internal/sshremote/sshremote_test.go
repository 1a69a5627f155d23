package sshremote

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/sshremote/sshtest"
)

func cfg(s *sshtest.Server, known, strict string) Config {
	return Config{Host: "root@127.0.0.1", Port: s.Port, KeyFile: s.ClientKey, KnownHosts: known, Strict: strict}
}

func TestRunAndSFTPAgainstARealOpenSSH(t *testing.T) {
	s := sshtest.Start(t)
	known := filepath.Join(t.TempDir(), "known_hosts")
	c, err := Dial(t.Context(), cfg(s, known, StrictAcceptNew))
	require.NoError(t, err)
	defer c.Close()
	out, err := c.Run(t.Context(), "echo hello && echo "+Quote("it's quoted"))
	require.NoError(t, err)
	require.Equal(t, "hello\nit's quoted", out)
	_, err = c.Run(t.Context(), "exit 3")
	require.ErrorContains(t, err, "exited with status 3")

	dir := t.TempDir()
	f, err := c.SFTP().Create(filepath.Join(dir, "a.txt"))
	require.NoError(t, err)
	_, err = io.WriteString(f, "over sftp")
	require.NoError(t, err)
	require.NoError(t, f.Close())
	b, err := os.ReadFile(filepath.Join(dir, "a.txt"))
	require.NoError(t, err)
	require.Equal(t, "over sftp", string(b))
}

func TestAcceptNewLearnsTheKeyAndRefusesAChangedOne(t *testing.T) {
	s := sshtest.Start(t)
	known := filepath.Join(t.TempDir(), "known_hosts")
	c, err := Dial(t.Context(), cfg(s, known, StrictAcceptNew))
	require.NoError(t, err, "an unknown host's key is learned")
	c.Close()
	b, _ := os.ReadFile(known)
	require.Equal(t, s.KnownHostsLine(), strings.TrimSpace(string(b)))

	c, err = Dial(t.Context(), cfg(s, known, StrictYes))
	require.NoError(t, err, "and known from then on, also under yes")
	c.Close()

	s.NewHostKey(t)
	for _, strict := range []string{StrictAcceptNew, StrictYes} {
		_, err = Dial(t.Context(), cfg(s, known, strict))
		require.ErrorIs(t, err, ErrHostKey, strict)
		require.ErrorContains(t, err, "has CHANGED", strict)
	}
	_, err = Dial(t.Context(), cfg(s, known, StrictNo))
	require.NoError(t, err, "no: any key")
}

func TestYesRefusesAnUnknownHostAndSaysHowToAddIt(t *testing.T) {
	s := sshtest.Start(t)
	known := filepath.Join(t.TempDir(), "known_hosts")
	require.NoError(t, os.WriteFile(known, nil, 0o600))
	_, err := Dial(t.Context(), cfg(s, known, StrictYes))
	require.ErrorIs(t, err, ErrHostKey)
	require.ErrorContains(t, err, "ssh-keyscan -p ")
	b, _ := os.ReadFile(known)
	require.Empty(t, b, "yes learns nothing")
}

func TestAWrongClientKeyIsRefused(t *testing.T) {
	s := sshtest.Start(t)
	other := sshtest.Start(t) // its client key is not authorized on s
	c := cfg(s, filepath.Join(t.TempDir(), "known_hosts"), StrictAcceptNew)
	c.KeyFile = other.ClientKey
	_, err := Dial(t.Context(), c)
	require.ErrorContains(t, err, "unable to authenticate")
}

// firstWrite tells when output first arrives.
type firstWrite struct {
	once sync.Once
	got  chan struct{}
	mu   sync.Mutex
	b    strings.Builder
}

func (f *firstWrite) Write(p []byte) (int, error) {
	f.mu.Lock()
	f.b.Write(p)
	f.mu.Unlock()
	f.once.Do(func() { close(f.got) })
	return len(p), nil
}

func TestStreamDeliversOutputWhileTheCommandStillRuns(t *testing.T) {
	s := sshtest.Start(t)
	c, err := Dial(t.Context(), cfg(s, filepath.Join(t.TempDir(), "known_hosts"), StrictAcceptNew))
	require.NoError(t, err)
	defer c.Close()
	gate := filepath.Join(t.TempDir(), "go-on")
	w := &firstWrite{got: make(chan struct{})}
	done := make(chan error, 1)
	// The command cannot finish before the test opens the gate, and the test
	// opens it only after the first line arrived: output must stream.
	go func() {
		done <- c.Stream(t.Context(), "echo first; while [ ! -f "+Quote(gate)+" ]; do sleep 0.05; done; echo second >&2; exit 4", w)
	}()
	select {
	case <-w.got:
	case err := <-done:
		t.Fatalf("the command ended before any output arrived: %v", err)
	}
	require.NoError(t, os.WriteFile(gate, nil, 0o600))
	err = <-done
	require.ErrorContains(t, err, "exited with status 4")
	require.ErrorContains(t, err, "echo on 127.0.0.1")
	w.mu.Lock()
	defer w.mu.Unlock()
	require.Equal(t, "first\nsecond\n", w.b.String())
}
