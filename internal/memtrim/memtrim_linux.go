package memtrim

import (
	"fmt"
	"os"
	"syscall"
)

// Code drops the executable's read-only, unwritten pages from this process
// (madvise MADV_DONTNEED) and returns how many bytes of mappings it advised.
// The pages stay in the page cache; whatever runs next maps again what it
// uses. Call it once start-up is over.
func Code() (int64, error) {
	exe, err := os.Readlink("/proc/self/exe")
	if err != nil {
		return 0, fmt.Errorf("find the executable: %w", err)
	}
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		return 0, fmt.Errorf("read the memory map: %w", err)
	}
	regions, err := codeRegions(f, exe)
	f.Close()
	if err != nil {
		return 0, fmt.Errorf("read the memory map: %w", err)
	}
	var n int64
	for _, r := range regions {
		if _, _, e := syscall.Syscall(syscall.SYS_MADVISE, uintptr(r.start), uintptr(r.end-r.start), syscall.MADV_DONTNEED); e != 0 {
			return n, fmt.Errorf("madvise %#x-%#x: %w", r.start, r.end, e)
		}
		n += int64(r.end - r.start)
	}
	return n, nil
}
