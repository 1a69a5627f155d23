//go:build !linux

package memtrim

// Code does nothing where there is no /proc/self/smaps to find the
// executable's mappings.
func Code() (int64, error) { return 0, nil }
