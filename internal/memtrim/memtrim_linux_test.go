package memtrim

import (
	"encoding/json"
	"os"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// written lives in the binary's writable data: Code must not reset it to the
// value in the file.
var written = 1

// statusKB is a line of /proc/self/status in kB, e.g. "RssFile".
func statusKB(t *testing.T, key string) int {
	t.Helper()
	b, err := os.ReadFile("/proc/self/status")
	require.NoError(t, err)
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == key+":" {
			n, err := strconv.Atoi(f[1])
			require.NoError(t, err)
			return n
		}
	}
	t.Fatalf("no %s in /proc/self/status", key)
	return 0
}

func rssFileKB(t *testing.T) int { return statusKB(t, "RssFile") }
func rssAnonKB(t *testing.T) int { return statusKB(t, "RssAnon") }

func TestCodeDropsTheBinarysPagesAndTheProgramRunsOn(t *testing.T) {
	written = 42
	before := rssFileKB(t)
	n, err := Code()
	require.NoError(t, err)
	after := rssFileKB(t)
	t.Logf("RssFile %d kB -> %d kB (%d kB advised)", before, after, n>>10)
	assert.Greater(t, n, int64(1<<20), "the test binary's code and read-only data are several MB")
	assert.Less(t, after, before-1024, "at least a MiB of the binary's resident pages is dropped")

	assert.Equal(t, 42, written, "writable data is left alone")
	out, err := json.Marshal(map[string][]int{"after": {1, 2, 3}})
	require.NoError(t, err, "code dropped from the process maps again when it runs")
	assert.JSONEq(t, `{"after":[1,2,3]}`, string(out))
}

// released is how much of the heap the runtime has given back to the kernel.
func released() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/released:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

func TestHeapReturnsFreedMemory(t *testing.T) {
	before, releasedBefore := rssAnonKB(t), released()
	garbage := make([][]byte, 0, 64)
	for range 64 {
		garbage = append(garbage, make([]byte, 256<<10)) // 16 MiB, touched
	}
	for _, g := range garbage {
		for i := 0; i < len(g); i += 4096 {
			g[i] = 1 // resident
		}
	}
	peak := rssAnonKB(t)
	garbage = nil
	Heap()
	after, gaveBack := rssAnonKB(t), released()-releasedBefore
	t.Logf("RssAnon %d kB, %d kB with 16 MiB garbage, %d kB after Heap; the heap gave back %d kB", before, peak, after, gaveBack>>10)
	require.Greater(t, peak, before+8<<10)
	assert.Greater(t, gaveBack, uint64(12<<20), "the runtime gives the garbage's pages back to the kernel")
	if !raceOn { // the race detector's shadow of those pages stays resident
		assert.Less(t, after, peak-8<<10, "the garbage's pages leave the resident set")
	}
}

func TestHeapReturnsWhatSitsInASyncPool(t *testing.T) {
	var pool sync.Pool
	bufs := make([][]byte, 0, 16)
	for range 16 {
		b := make([]byte, 1<<20)
		for i := 0; i < len(b); i += 4096 {
			b[i] = 1
		}
		bufs = append(bufs, b)
	}
	for _, b := range bufs {
		pool.Put(b)
	}
	bufs = nil
	peak := rssAnonKB(t)
	Heap()
	after := rssAnonKB(t)
	t.Logf("RssAnon %d kB with 16 MiB pooled, %d kB after Heap", peak, after)
	assert.Less(t, after, peak-8<<10, "pooled buffers survive one collection, not two")
}
