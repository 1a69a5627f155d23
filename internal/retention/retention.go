// Package retention decides which archives of a kind to keep: the newest N
// (BACKUP_KEEP), or grandfather-father-son (BACKUP_KEEP_DAILY, _WEEKLY,
// _MONTHLY): the newest archive of each of the last N days, ISO weeks and
// months that have one, as restic's forget --keep-daily/-weekly/-monthly.
package retention

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// Policy is how many to keep; GFS applies when any of its counts is set.
type Policy struct {
	Last                   int // newest N
	Daily, Weekly, Monthly int
}

// GFS reports whether the policy is grandfather-father-son.
func (p Policy) GFS() bool { return p.Daily > 0 || p.Weekly > 0 || p.Monthly > 0 }

// Stamp reads the UTC time in an archive name:
// <kind>-<YYYYMMDDTHHMMSSZ>.<ext>.
func Stamp(name string) (time.Time, bool) {
	base := name
	if i := strings.Index(base, "."); i >= 0 {
		base = base[:i]
	}
	t, err := time.Parse("20060102T150405Z", base[strings.LastIndex(base, "-")+1:])
	return t, err == nil
}

// Drop is the names to delete under the policy. Names without a stamp are
// never dropped; Last <= 0 without GFS keeps everything.
func Drop(names []string, p Policy) []string { return DropBy(names, p, Stamp) }

// DropBy is Drop for names whose time stamp stamp reads: the offsite
// backup keeps the Python tool's <prefix>-YYYYMMDD-HHMMSS.tar.gz.
func DropBy(names []string, p Policy, stamp func(string) (time.Time, bool)) []string {
	type item struct {
		name string
		t    time.Time
	}
	var items []item
	for _, n := range names {
		if t, ok := stamp(n); ok {
			items = append(items, item{n, t})
		}
	}
	sort.Slice(items, func(i, j int) bool { return items[i].t.After(items[j].t) }) // newest first
	keep := map[string]bool{}
	if !p.GFS() {
		if p.Last <= 0 {
			return nil
		}
		for i, it := range items {
			if i < p.Last {
				keep[it.name] = true
			}
		}
	} else {
		buckets := []struct {
			n   int
			key func(time.Time) string
		}{
			{p.Daily, func(t time.Time) string { return t.Format("2006-01-02") }},
			{p.Weekly, func(t time.Time) string { y, w := t.ISOWeek(); return fmt.Sprintf("%d-W%02d", y, w) }},
			{p.Monthly, func(t time.Time) string { return t.Format("2006-01") }},
		}
		for _, b := range buckets {
			seen := map[string]bool{}
			for _, it := range items {
				if len(seen) >= b.n {
					break
				}
				k := b.key(it.t)
				if !seen[k] {
					seen[k] = true // the newest of its day, week or month
					keep[it.name] = true
				}
			}
		}
	}
	var drop []string
	for _, it := range items {
		if !keep[it.name] {
			drop = append(drop, it.name)
		}
	}
	sort.Strings(drop)
	return drop
}
