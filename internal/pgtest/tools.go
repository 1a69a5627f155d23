package pgtest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// ToolsContainer stands in for the Postgres container: an image of this
// machine's PostgreSQL client programs (pg_dump, pg_restore, psql, the
// same ones a postgres image carries) with their libraries, imported
// (no registry here), running on the host's network until the test ends.
func ToolsContainer(t testing.TB) string {
	t.Helper()
	root := t.TempDir()
	bin := Bin()
	files := map[string]bool{}
	for _, p := range []string{"pg_dump", "pg_restore", "psql"} {
		files[filepath.Join(bin, p)] = true
		out, err := exec.Command("ldd", filepath.Join(bin, p)).Output()
		must(t, err)
		for _, line := range strings.Split(string(out), "\n") {
			for _, f := range strings.Fields(line) {
				if strings.HasPrefix(f, "/") {
					files[f] = true
				}
			}
		}
	}
	busybox, err := exec.LookPath("busybox")
	if err != nil {
		busybox = "/bin/busybox"
	}
	files[busybox] = true
	for f := range files {
		real, err := filepath.EvalSymlinks(f)
		must(t, err)
		b, err := os.ReadFile(real)
		must(t, err)
		dst := filepath.Join(root, f)
		must(t, os.MkdirAll(filepath.Dir(dst), 0o755))
		must(t, os.WriteFile(dst, b, 0o755))
	}
	must(t, os.MkdirAll(filepath.Join(root, "etc"), 0o755))
	must(t, os.WriteFile(filepath.Join(root, "etc", "passwd"), []byte("root:x:0:0:root:/root:/bin/sh\npostgres:x:999:999::/var/lib/postgresql:/bin/sh\n"), 0o644))
	must(t, os.MkdirAll(filepath.Join(root, "tmp"), 0o1777))
	image := fmt.Sprintf("birdseye-pgtools-test:%d", time.Now().UnixNano())
	cmd := exec.Command("sh", "-c", fmt.Sprintf("tar -C %s -c . | docker import --change 'ENV PATH=%s:/usr/bin:/bin' - %s", root, bin, image))
	out, err := cmd.CombinedOutput()
	must(t, err, string(out))
	t.Cleanup(func() { exec.Command("docker", "rmi", "-f", image).Run() })
	name := strings.ReplaceAll(image, ":", "-")
	out, err = exec.Command("docker", "run", "-d", "--network", "host", "--name", name, image, busybox, "sleep", "3600").CombinedOutput()
	must(t, err, string(out))
	t.Cleanup(func() { exec.Command("docker", "rm", "-f", name).Run() })
	return name
}

func must(t testing.TB, err error, args ...any) {
	t.Helper()
	if err != nil {
		t.Fatal(append([]any{err}, args...)...)
	}
}
