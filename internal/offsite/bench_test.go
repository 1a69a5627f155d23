package offsite

import (
	"crypto/rand"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkArchive64MiB: the archive streams; its memory does not grow with
// the size of what is archived (B/op stays near gzip's own buffers while a
// 64 MiB file goes through).
func BenchmarkArchive64MiB(b *testing.B) {
	dir := b.TempDir()
	f, err := os.Create(filepath.Join(dir, "big.bin"))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := io.CopyN(f, rand.Reader, 64<<20); err != nil {
		b.Fatal(err)
	}
	f.Close()
	b.SetBytes(64 << 20)
	b.ReportAllocs()
	for b.Loop() {
		n, err := writeArchive(io.Discard, []entry{{src: dir, name: "data"}}, nil, nil)
		if err != nil || n != 2 {
			b.Fatalf("%d members, %v", n, err)
		}
	}
}
