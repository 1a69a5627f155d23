package config

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Warning is a variable that is set but does nothing, and why.
type Warning struct {
	Var string
	Msg string
}

func (w Warning) String() string { return w.Var + " " + w.Msg }

// oldJobs are the Python tool's jobs birdseye does not run yet, by the
// prefixes of their variables: a user switching images keeps them in .env
// and should hear that they do nothing for now.
var oldJobs = []struct {
	job      string
	prefixes []string
}{
	{"standby clone (clone_standby.py)", []string{"CRON_CLONE_STANDBY", "CLONE_"}},
}

// ours are the prefixes no other program's variables are likely to have:
// a name under one of them that birdseye does not know is a typo. (NB_ is
// NetBird's own too: there only a near miss of a known name counts.)
var ours = []string{"MATTERMOST_", "SMTP_", "EMAIL_", "WEBHOOK_", "SYSLOG_", "FILE_SINK_", "SLACK_", "DISCORD_",
	"TEAMS_", "NTFY_", "TRAFFIC_", "PROXY_LOGS", "PROXY_POLL", "WATCH_", "CRON_", "PRUNE_", "BACKUP_", "EXPORT_", "METRICS_",
	"STDOUT_", "SINK_", "BURST_", "OUTAGE_", "BACKLOG_", "BACKFILL", "CHANGE_", "MAINTENANCE_", "OFFSITE_", "MIRROR_", "PING_", "CHECKMK_", "POLL_", "MAX_CATCHUP", "STATE_"}

// Unknown looks at the variables set (NAME=value, from the environment and
// .env) for ones that look like birdseye's but that it does not read: a
// misspelt name (POLL_INTERVALL, MATERMOST_WEBHOOK_URL) is named with the
// closest known one; the variables of the Python tool's jobs that birdseye
// does not run yet get one warning per job.
func Unknown(environ []string) []Warning {
	known := map[string]bool{}
	var names []string
	for _, v := range Vars() {
		known[v.Name] = true
		names = append(names, v.Name)
		if v.Secret {
			known[v.Name+"_FILE"] = true
		}
	}
	var out []Warning
	jobVars := map[string][]string{}
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		if known[name] || name == "" {
			continue
		}
		if job := oldJob(name); job != "" {
			jobVars[job] = append(jobVars[job], name)
			continue
		}
		best, dist := closest(name, names)
		looksOurs := slices.ContainsFunc(ours, func(p string) bool { return strings.HasPrefix(name, p) })
		if !looksOurs && (dist*6 > len(name) || !strings.Contains(name, "_")) {
			continue // someone else's variable (PATH is two edits from WATCH)
		}
		msg := "is set but birdseye has no such variable; it is ignored"
		if dist <= max(3, len(name)/4) {
			msg += fmt.Sprintf(" (did you mean %s?)", best)
		}
		out = append(out, Warning{Var: name, Msg: msg})
	}
	jobs := make([]string, 0, len(jobVars))
	for job := range jobVars {
		jobs = append(jobs, job)
	}
	sort.Strings(jobs)
	for _, job := range jobs {
		vars := jobVars[job]
		sort.Strings(vars)
		msg := "belong to the Python tool's " + job + ", which birdseye does not run yet; they are ignored"
		if len(vars) == 1 {
			msg = "belongs to the Python tool's " + job + ", which birdseye does not run yet; it is ignored"
		}
		out = append(out, Warning{Var: strings.Join(vars, ", "), Msg: msg})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Var < out[j].Var })
	return out
}

func oldJob(name string) string {
	for _, j := range oldJobs {
		for _, p := range j.prefixes {
			if strings.HasPrefix(name, p) {
				return j.job
			}
		}
	}
	return ""
}

// closest returns the known name nearest to name by edit distance.
func closest(name string, names []string) (string, int) {
	best, dist := "", 1<<30
	for _, n := range names {
		if d := levenshtein(name, n); d < dist {
			best, dist = n, d
		}
	}
	return best, dist
}

func levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
