package backup

import (
	"bufio"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// benchData writes mixed data like a NetBird volume, in MiB: a SQLite store
// (1/8), compressible text logs (7/16) and incompressible blobs (7/16).
func benchData(b *testing.B, dir string, mib int) int64 {
	b.Helper()
	vol := filepath.Join(dir, "netbird")
	os.MkdirAll(vol, 0o755)
	src := rand.NewChaCha8([32]byte{1})
	r := rand.New(src)
	db, err := sql.Open("sqlite", "file:"+filepath.Join(vol, "store.db"))
	if err != nil {
		b.Fatal(err)
	}
	db.Exec("CREATE TABLE blobs(id INTEGER PRIMARY KEY, data BLOB)")
	tx, _ := db.Begin()
	row := make([]byte, 4096)
	for i := range mib * 1024 / 4 / 8 {
		src.Read(row[:2048]) // half random, half zeros: partly compressible
		tx.Exec("INSERT INTO blobs(id, data) VALUES (?, ?)", i, row)
	}
	tx.Commit()
	db.Close()
	text, _ := os.Create(filepath.Join(vol, "management.log"))
	w := bufio.NewWriter(text)
	for n := 0; n < mib<<20*7/16; {
		k, _ := fmt.Fprintf(w, "2026-11-23T03:00:%02d.%06dZ INFO peer %d logged in from 100.77.%d.%d via relay\n", n%60, n%1000000, r.IntN(5000), r.IntN(255), r.IntN(255))
		n += k
	}
	w.Flush()
	text.Close()
	blob, _ := os.Create(filepath.Join(vol, "GeoLite2-City.mmdb"))
	buf := make([]byte, 1<<20)
	for range mib * 7 / 16 {
		src.Read(buf)
		blob.Write(buf)
	}
	blob.Close()
	var total int64
	filepath.Walk(vol, func(_ string, fi os.FileInfo, _ error) error {
		if fi != nil && !fi.IsDir() {
			total += fi.Size()
		}
		return nil
	})
	return total
}

// measure runs a command and returns its wall time and peak RSS.
func measure(b *testing.B, cmd *exec.Cmd) (time.Duration, int64) {
	b.Helper()
	start := time.Now()
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("%v: %v\n%s", cmd.Args, err, out)
	}
	return time.Since(start), cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss << 10
}

// BenchmarkArchiveVs7Zip archives the same mixed data with birdseye, 7-Zip's
// zip mode (AES-256) and 7-Zip's 7z mode (-mhe=on -mx=5, the old tool's),
// and reports MB/s and peak RSS of each. BIRDSEYE_BENCH_MIB sets the size
// (default 512).
func BenchmarkArchiveVs7Zip(b *testing.B) {
	sz, err := exec.LookPath("7z")
	if err != nil {
		b.Skip("7z is not installed (apt-get install p7zip-full)")
	}
	mib := 512
	if v, err := strconv.Atoi(os.Getenv("BIRDSEYE_BENCH_MIB")); err == nil && v > 0 {
		mib = v
	}
	dir := b.TempDir()
	total := benchData(b, dir, mib)
	bin := filepath.Join(dir, "birdseye")
	build := exec.Command("go", "build", "-trimpath", "-o", bin, "../../cmd/birdseye")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, out)
	}
	src := filepath.Join(dir, "netbird")
	const pw = "benchmark passphrase"
	b.ResetTimer()
	for range b.N {
		out := b.TempDir()
		bc := exec.Command(bin, "backup", "volumes", "--out", out)
		bc.Env = []string{"BACKUP_PATHS=" + src, "BACKUP_ZIP_PASSWORD=" + pw, "TMPDIR=" + out}
		tb, rb := measure(b, bc)
		tz, rz := measure(b, exec.Command(sz, "a", "-tzip", "-mem=AES256", "-p"+pw, "-bso0", "-bsp0", filepath.Join(out, "z.zip"), src))
		t7, r7 := measure(b, exec.Command(sz, "a", "-t7z", "-mhe=on", "-mx=5", "-p"+pw, "-bso0", "-bsp0", filepath.Join(out, "z.7z"), src))
		mbs := func(d time.Duration) float64 { return float64(total) / 1e6 / d.Seconds() }
		b.ReportMetric(mbs(tb), "birdseye-MB/s")
		b.ReportMetric(float64(rb)/(1<<20), "birdseye-peak-RSS-MiB")
		b.ReportMetric(mbs(tz), "7z-zip-MB/s")
		b.ReportMetric(float64(rz)/(1<<20), "7z-zip-peak-RSS-MiB")
		b.ReportMetric(mbs(t7), "7z-7z-MB/s")
		b.ReportMetric(float64(r7)/(1<<20), "7z-7z-peak-RSS-MiB")
		b.ReportMetric(float64(total)/(1<<20), "input-MiB")
	}
}
