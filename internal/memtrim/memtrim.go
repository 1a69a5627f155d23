// Package memtrim gives memory back once the daemon is idle: the heap it no
// longer uses and the pages of its own code that only ran at start-up.
//
// birdseye is one static binary of about 20 MB. At start every package's
// initialisation code runs, spread over the whole binary, and the kernel
// maps code in 64 KiB windows around each page touched, so after start-up
// most of the binary counts in the process's resident set although an idle
// poll loop uses about half of it. Those pages are clean copies of the file:
// dropping them from the process costs nothing, the kernel maps them again
// from the page cache if they are ever used, exactly as it would after
// reclaiming them under memory pressure.
package memtrim

import (
	"bufio"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
)

// Heap returns the heap memory the garbage collector has freed to the
// operating system now, instead of keeping up to the next collection's goal
// for reuse. It forces two collections: what sits in a sync.Pool survives
// one (in the pool's victim cache), and net/http keeps the HTTP/2 body
// buffers of the last poll there, about 2 MB after a 10,000-event poll.
// Call it when idle, not in a loop.
func Heap() {
	runtime.GC()
	debug.FreeOSMemory()
}

// region is one mapping of the executable that may be dropped.
type region struct{ start, end uint64 }

// codeRegions reads /proc/self/smaps and returns the executable's mappings
// that are read-only and hold no private (copied) pages: code, read-only
// data and the runtime's tables. A writable mapping holds the program's
// variables, and a read-only one with private pages was written before it
// was protected (relocations of a position-independent binary): dropping
// either would lose what was written, so both are left alone.
func codeRegions(smaps io.Reader, exe string) ([]region, error) {
	var out []region
	var cur region
	candidate, written := false, false
	flush := func() {
		if candidate && !written {
			out = append(out, cur)
		}
	}
	sc := bufio.NewScanner(smaps)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		switch {
		case len(fs) == 0:
		case !strings.HasSuffix(fs[0], ":"): // a mapping's header; its fields ("Rss:", …) follow
			flush()
			cur, candidate = mappingLine(fs, exe)
			written = false
		case fs[0] == "Anonymous:" && len(fs) > 1 && fs[1] != "0":
			written = true
		}
	}
	flush()
	return out, sc.Err()
}

// mappingLine parses a mapping header ("start-end perms offset dev inode
// path") and says whether it is a read-only mapping of exe.
func mappingLine(fs []string, exe string) (region, bool) {
	if len(fs) < 6 || fs[5] != exe {
		return region{}, false
	}
	perms := fs[1]
	if len(perms) < 4 || perms[0] != 'r' || perms[1] != '-' || perms[3] != 'p' {
		return region{}, false
	}
	lo, hi, ok := strings.Cut(fs[0], "-")
	if !ok {
		return region{}, false
	}
	a, err1 := strconv.ParseUint(lo, 16, 64)
	b, err2 := strconv.ParseUint(hi, 16, 64)
	if err1 != nil || err2 != nil || b <= a {
		return region{}, false
	}
	return region{a, b}, true
}

// GCPercent is the collector's goal when GOGC is not set: collect once the
// heap has grown by half of what is live, not doubled. The daemon's live heap
// is 1–2 MB, so with Go's default it rests at the collector's 4 MB minimum
// goal, mostly garbage; at 50 the minimum is 2 MB. Bursts (a 50,000-record
// traffic page) then collect twice as often, a few milliseconds each.
const GCPercent = 50

// LowerGCGoal sets GCPercent unless the operator set GOGC.
func LowerGCGoal() {
	if os.Getenv("GOGC") == "" { // as for the runtime, empty is unset
		debug.SetGCPercent(GCPercent)
	}
}
