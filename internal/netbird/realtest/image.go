package realtest

import (
	"archive/tar"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// Image imports the management server into the Docker engine as an image
// and returns its reference; it is removed when the test ends. No image
// can be pulled here, so the image is `docker import` of a root filesystem
// holding the binary at /netbird-mgmt, the libraries ldd lists (with the
// loader), the CA certificates, /etc/passwd and /tmp.
func Image(t testing.TB) string {
	t.Helper()
	bins, err := Find()
	if err != nil {
		skipOrFail(t, err)
	}
	files := map[string]string{"/netbird-mgmt": bins.Management} // in the image -> on this machine
	out, err := exec.Command("ldd", bins.Management).Output()
	if err != nil {
		t.Fatalf("ldd %s: %v", bins.Management, err)
	}
	for _, lib := range lddPaths(string(out)) {
		files[lib] = lib
	}
	for _, ca := range []string{"/etc/ssl/certs/ca-certificates.crt"} {
		if _, err := os.Stat(ca); err == nil {
			files[ca] = ca
		}
	}
	rootfs := filepath.Join(t.TempDir(), "rootfs.tar")
	if err := writeRootFS(rootfs, files); err != nil {
		t.Fatal(err)
	}
	ref := fmt.Sprintf("birdseye-test-netbird:%d", time.Now().UnixNano())
	cmd := exec.Command("docker", "import", rootfs, ref)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("docker import: %v\n%s", err, b)
	}
	t.Cleanup(func() { exec.Command("docker", "rmi", "-f", ref).Run() })
	return ref
}

var lddPath = regexp.MustCompile(`(?m)(?:=>\s*)?(/\S+)\s+\(0x`)

// lddPaths are the absolute paths in ldd's answer: each library and the
// loader.
func lddPaths(out string) []string {
	var paths []string
	for _, m := range lddPath.FindAllStringSubmatch(out, -1) {
		paths = append(paths, m[1])
	}
	return paths
}

// writeRootFS writes a tar of the files (symlinks followed: the image gets
// the content at the path the loader asks for), /etc/passwd and /tmp.
func writeRootFS(path string, files map[string]string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	tw := tar.NewWriter(f)
	dirs := map[string]bool{}
	dir := func(d string, mode int64) error {
		if d == "/" || d == "." || dirs[d] {
			return nil
		}
		dirs[d] = true
		return tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: strings.TrimPrefix(d, "/") + "/", Mode: mode})
	}
	parents := func(p string) error {
		var chain []string
		for d := filepath.Dir(p); d != "/"; d = filepath.Dir(d) {
			chain = append([]string{d}, chain...)
		}
		for _, d := range chain {
			if err := dir(d, 0o755); err != nil {
				return err
			}
		}
		return nil
	}
	if err := dir("/tmp", 0o1777); err != nil {
		return err
	}
	if err := parents("/etc/passwd"); err != nil {
		return err
	}
	passwd := "root:x:0:0:root:/root:/sbin/nologin\n"
	if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: "etc/passwd", Mode: 0o644, Size: int64(len(passwd))}); err != nil {
		return err
	}
	io.WriteString(tw, passwd)
	for in, from := range files {
		if err := parents(in); err != nil {
			return err
		}
		src, err := os.Open(from) // follows symlinks
		if err != nil {
			return err
		}
		st, err := src.Stat()
		if err == nil {
			err = tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: strings.TrimPrefix(in, "/"), Mode: int64(st.Mode().Perm()), Size: st.Size()})
		}
		if err == nil {
			_, err = io.Copy(tw, src)
		}
		src.Close()
		if err != nil {
			return err
		}
	}
	return tw.Close()
}
