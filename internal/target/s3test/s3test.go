// Package s3test starts a real S3-compatible server for tests: versitygw
// with its posix backend on 127.0.0.1, built from the pinned tools module
// internal/tools/versitygw (the first build downloads and compiles it; Go's
// build cache makes the next ones quick).
package s3test

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"
)

// Server is a running versitygw.
type Server struct {
	Endpoint             string // http://127.0.0.1:port
	AccessKey, SecretKey string
	Root                 string // the posix root: buckets are its directories
}

var (
	buildOnce sync.Once
	binary    string
	buildErr  error
)

func build() (string, error) {
	buildOnce.Do(func() {
		_, here, _, _ := runtime.Caller(0)
		mod := filepath.Join(filepath.Dir(here), "..", "..", "tools", "versitygw")
		binary = filepath.Join(os.TempDir(), fmt.Sprintf("birdseye-versitygw-%d", os.Getpid()))
		cmd := exec.Command("go", "build", "-o", binary, "github.com/versity/versitygw/cmd/versitygw")
		cmd.Dir = mod
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("build versitygw: %v\n%s", err, out)
		}
	})
	return binary, buildErr
}

// Start runs a server until the test ends, with the bucket made.
func Start(t testing.TB, bucket string) *Server {
	t.Helper()
	bin, err := build()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {}) // the binary is removed by Remove at the end of the package's tests
	root := t.TempDir()
	if bucket != "" {
		if err := os.MkdirAll(filepath.Join(root, bucket), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	s := &Server{Endpoint: "http://" + addr, AccessKey: "birdseyetestkey", SecretKey: "birdseye-test-secret-0123456789", Root: root}
	cmd := exec.Command(bin, "--access", s.AccessKey, "--secret", s.SecretKey, "--port", addr, "posix", root)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	for range 200 {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return s
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("versitygw did not start listening")
	return nil
}

// Remove deletes the built binary (call it from TestMain, after m.Run).
func Remove() {
	if binary != "" {
		os.Remove(binary)
	}
}
