package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkDaemonIdle runs `birdseye run` against the fake API over HTTPS
// (the system's CA roots loaded, as in production) at POLL_INTERVAL=60 with stdout, Mattermost and a schedule configured, for
// BIRDSEYE_IDLE_SECONDS (default 180), and reports its resident memory and
// the CPU it used, from /proc.
func BenchmarkDaemonIdle(b *testing.B) {
	secs := 180
	if v, err := strconv.Atoi(os.Getenv("BIRDSEYE_IDLE_SECONDS")); err == nil && v > 0 {
		secs = v
	}
	f, api, ca := newTLSAPIForBench(b)
	f.AddN(10000, "group.add", "g") // a busy account: every poll downloads 10,000 events
	_, hook := newMattermostForBench(b)
	for range b.N {
		sf := filepath.Join(b.TempDir(), "state.json")
		cmd := startBench(b, []string{"PATH=" + os.Getenv("PATH"), "NB_URL=" + api, "NB_CA_FILE=" + ca, "NB_API_KEY=nbp_fakeauditor00000000000000000000000000",
			"STATE_FILE=" + sf, "POLL_INTERVAL=60", "MATTERMOST_WEBHOOK_URL=" + hook, "CRON_CLEANUP_EPHEMERAL="})
		time.Sleep(time.Duration(secs) * time.Second)
		status, _ := os.ReadFile("/proc/" + strconv.Itoa(cmd.Process.Pid) + "/status")
		stat, _ := os.ReadFile("/proc/" + strconv.Itoa(cmd.Process.Pid) + "/stat")
		cmd.Process.Kill()
		cmd.Wait()
		var rssKB, anonKB, fileKB float64
		for _, l := range strings.Split(string(status), "\n") {
			f := strings.Fields(l)
			if len(f) < 2 {
				continue
			}
			v, _ := strconv.ParseFloat(f[1], 64)
			switch f[0] {
			case "VmRSS:":
				rssKB = v
			case "RssAnon:":
				anonKB = v
			case "RssFile:":
				fileKB = v
			}
		}
		// utime and stime are fields 14 and 15 of /proc/<pid>/stat, in clock ticks (100/s).
		fields := strings.Fields(string(stat)[strings.LastIndex(string(stat), ")")+2:])
		ut, _ := strconv.ParseFloat(fields[11], 64)
		st, _ := strconv.ParseFloat(fields[12], 64)
		b.ReportMetric(rssKB/1024, "rss-MiB")
		b.ReportMetric(anonKB/1024, "rss-anon-MiB") // heap, stacks
		b.ReportMetric(fileKB/1024, "rss-file-MiB") // the binary's pages in use
		b.ReportMetric((ut+st)/100/float64(secs)*100, "cpu-%")
	}
}
