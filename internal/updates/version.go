// Package updates tells the operator once per version when NetBird (the
// management server, the dashboard) or birdseye itself has a newer
// release, from what can be read: the server's own /api/instance/version,
// the newest version a peer runs (clients and server share version
// numbers, so a newer peer proves a newer release without any egress),
// and a release source (NetBird's public version endpoint, a mirror or a
// file). What could not be read is said as such, with the date it was
// last read, never as "up to date".
package updates

import (
	"strconv"
	"strings"
)

// Version is a release version: major.minor.patch. A pre-release or a
// build suffix (0.78.0-rc1) is kept apart: releases are compared without
// it, and a pre-release is never announced.
type Version struct {
	Nums   [3]int
	Suffix string // after the first "-": rc1, local, …
	Raw    string
}

// Parse reads "v0.77.1", "0.77.1", "0.77.1-local"; ok is false for what
// is not a version ("development", "").
func Parse(s string) (Version, bool) {
	raw := strings.TrimSpace(s)
	v := Version{Raw: raw}
	s = strings.TrimPrefix(raw, "v")
	s, v.Suffix, _ = strings.Cut(s, "-")
	s, _, _ = strings.Cut(s, "+")
	parts := strings.Split(s, ".")
	if len(parts) < 2 || len(parts) > 3 {
		return Version{}, false
	}
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return Version{}, false
		}
		v.Nums[i] = n
	}
	return v, true
}

// Pre is whether it is a pre-release (a suffix other than a local build's).
func (v Version) Pre() bool { return v.Suffix != "" && v.Suffix != "local" && v.Suffix != "dev" }

// Newer is whether v is a later release than w, suffixes aside.
func (v Version) Newer(w Version) bool {
	for i := range v.Nums {
		if v.Nums[i] != w.Nums[i] {
			return v.Nums[i] > w.Nums[i]
		}
	}
	return false
}

// String is the version without a leading v.
func (v Version) String() string {
	s := strconv.Itoa(v.Nums[0]) + "." + strconv.Itoa(v.Nums[1]) + "." + strconv.Itoa(v.Nums[2])
	if v.Suffix != "" {
		s += "-" + v.Suffix
	}
	return s
}
