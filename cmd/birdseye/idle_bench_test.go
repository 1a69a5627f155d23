package main

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkDaemonIdle runs `birdseye run` against the fake API over HTTPS
// (as in the scratch image: no system CA roots, so the embedded ones are
// loaded, plus NB_CA_FILE for the fake's certificate) at POLL_INTERVAL=60 with
// stdout, Mattermost and a schedule configured, for BIRDSEYE_IDLE_SECONDS
// (default 300: start-up is over after two minutes), and reports the CPU it
// used and its resident memory from /proc: the mean, the median and the
// highest of samples taken every 5 s from 2.5 minutes on, once start-up is
// over; each poll makes it swing by about 2 MiB for a few seconds. GOGC, GOMEMLIMIT, GOMAXPROCS and GODEBUG reach the
// daemon, and so do the settings in BIRDSEYE_IDLE_ENV ("WATCH=off …").
func BenchmarkDaemonIdle(b *testing.B) {
	secs := idleSecs()
	f, api, ca := newTLSAPIForBench(b)
	f.AddN(10000, "group.add", "g") // a busy account: every poll downloads 10,000 events
	_, hook := newMattermostForBench(b)
	for range b.N {
		sf := filepath.Join(b.TempDir(), "state.json")
		env := []string{"PATH=" + os.Getenv("PATH"), "NB_URL=" + api, "NB_CA_FILE=" + ca, "NB_API_KEY=nbp_fakeauditor00000000000000000000000000",
			"STATE_FILE=" + sf, "POLL_INTERVAL=60", "MATTERMOST_WEBHOOK_URL=" + hook, "CRON_CLEANUP_EPHEMERAL=",
			"SSL_CERT_FILE=/nonexistent/ca.pem", "SSL_CERT_DIR=/nonexistent"}
		env = append(env, runtimeEnv()...)
		measureIdle(b, env, secs)
	}
}

// idleSecs is BIRDSEYE_IDLE_SECONDS, default 300.
func idleSecs() int {
	if v, err := strconv.Atoi(os.Getenv("BIRDSEYE_IDLE_SECONDS")); err == nil && v > 0 {
		return v
	}
	return 300
}

// runtimeEnv is the runtime settings to compare (GOGC …) and the
// settings in BIRDSEYE_IDLE_ENV, as given to the benchmark.
func runtimeEnv() []string {
	var env []string
	for _, k := range []string{"GOGC", "GOMEMLIMIT", "GOMAXPROCS", "GODEBUG"} {
		if v := os.Getenv(k); v != "" {
			env = append(env, k+"="+v)
		}
	}
	return append(env, strings.Fields(os.Getenv("BIRDSEYE_IDLE_ENV"))...) // e.g. "WATCH=off", to compare
}

// measureIdle runs the daemon with env for secs seconds and reports its
// CPU and its resident memory sampled every 5 s from 2.5 minutes on.
func measureIdle(b *testing.B, env []string, secs int) {
	window := max(min(secs, 120), secs-150) // from 2.5 minutes on: start-up is over
	cmd := startBench(b, env)
	time.Sleep(time.Duration(secs-window) * time.Second)
	var samples []memSample
	for range window / 5 {
		time.Sleep(5 * time.Second)
		samples = append(samples, readMem(b, cmd.Process.Pid))
	}
	stat, _ := os.ReadFile("/proc/" + strconv.Itoa(cmd.Process.Pid) + "/stat")
	cmd.Process.Kill()
	cmd.Wait()
	var mean memSample
	var peak float64
	rss := make([]float64, 0, len(samples))
	for _, s := range samples {
		mean.rss += s.rss / float64(len(samples))
		mean.anon += s.anon / float64(len(samples))
		mean.file += s.file / float64(len(samples))
		peak = max(peak, s.rss)
		rss = append(rss, s.rss)
	}
	slices.Sort(rss)
	// utime and stime are fields 14 and 15 of /proc/<pid>/stat, in clock ticks (100/s).
	fields := strings.Fields(string(stat)[strings.LastIndex(string(stat), ")")+2:])
	ut, _ := strconv.ParseFloat(fields[11], 64)
	st, _ := strconv.ParseFloat(fields[12], 64)
	b.ReportMetric(mean.rss/1024, "rss-MiB")
	b.ReportMetric(rss[len(rss)/2]/1024, "rss-median-MiB")
	b.ReportMetric(peak/1024, "rss-max-MiB")       // during a poll, before its heap is returned
	b.ReportMetric(mean.anon/1024, "rss-anon-MiB") // heap, stacks, runtime
	b.ReportMetric(mean.file/1024, "rss-file-MiB") // the binary's pages in use
	b.ReportMetric((ut+st)/100/float64(secs)*100, "cpu-%")
}

// memSample is a process's resident memory in KiB.
type memSample struct{ rss, anon, file float64 }

func readMem(b *testing.B, pid int) memSample {
	status, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		b.Fatal(err)
	}
	var m memSample
	for _, l := range strings.Split(string(status), "\n") {
		f := strings.Fields(l)
		if len(f) < 2 {
			continue
		}
		v, _ := strconv.ParseFloat(f[1], 64)
		switch f[0] {
		case "VmRSS:":
			m.rss = v
		case "RssAnon:":
			m.anon = v
		case "RssFile:":
			m.file = v
		}
	}
	if m.rss == 0 {
		b.Fatalf("no resident memory in /proc/%d/status: the daemon has exited", pid)
	}
	return m
}
