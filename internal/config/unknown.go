package config

import (
	"fmt"
	"regexp"
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

// cloneTargetVar is a standby clone target's own variable: its name
// holds the target's, so no list can know it.
var cloneTargetVar = regexp.MustCompile(`^CLONE_[A-Z0-9_]+_(ROOT|PROJECT|COMPOSE|HOST|AUTOSTART|CERT_COPY|DB_DIR)$`)

// ours are the prefixes no other program's variables are likely to have:
// a name under one of them that birdseye does not know is a typo. (NB_ is
// NetBird's own too: there only a near miss of a known name counts.)
var ours = []string{"MATTERMOST_", "SMTP_", "EMAIL_", "WEBHOOK_", "SYSLOG_", "FILE_SINK_", "SLACK_", "DISCORD_",
	"TEAMS_", "NTFY_", "TRAFFIC_", "PROXY_LOGS", "PROXY_POLL", "WATCH_", "CRON_", "PRUNE_", "BACKUP_", "EXPORT_", "METRICS_",
	"STDOUT_", "SINK_", "BURST_", "OUTAGE_", "BACKLOG_", "BACKFILL", "CHANGE_", "MAINTENANCE_", "OFFSITE_", "MIRROR_", "CLONE_", "PING_", "CHECKMK_", "POLL_", "MAX_CATCHUP", "STATE_", "CERT_WATCH_", "UPDATE_SOURCE", "UPDATE_BIRDSEYE", "LINT_", "FLEET_", "SPLUNK_", "ELASTIC_", "LOKI_", "TELEGRAM_", "GOOGLE_CHAT_", "OTLP_"}

// Unknown looks at the variables set (NAME=value, from the environment and
// .env) for ones that look like birdseye's but that it does not read: a
// misspelt name (POLL_INTERVALL, MATERMOST_WEBHOOK_URL) is named with the
// closest known one. A standby clone target's variables
// (CLONE_<NAME>_ROOT, …) are the clone's to check.
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
	// The targets' prefixes, CLONE_<NAME> as clone.Target.Prefix makes them.
	targets := map[string]bool{}
	for _, kv := range environ {
		if name, val, _ := strings.Cut(kv, "="); name == "CLONE_TARGETS" {
			clear(targets)
			for _, t := range SplitComma(val) {
				targets["CLONE_"+strings.ToUpper(strings.ReplaceAll(t, "-", "_"))] = true
			}
		}
	}
	var out []Warning
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		if known[name] || name == "" {
			continue
		}
		if m := cloneTargetVar.FindStringSubmatch(name); m != nil {
			if targets[strings.TrimSuffix(name, "_"+m[1])] {
				continue
			}
			msg := "is set but CLONE_TARGETS names no such target; it is ignored"
			if best, dist := closest(name, names); dist <= max(2, len(name)/6) {
				msg = fmt.Sprintf("is set but birdseye has no such variable; it is ignored (did you mean %s?)", best)
			}
			out = append(out, Warning{Var: name, Msg: msg})
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
	sort.SliceStable(out, func(i, j int) bool { return out[i].Var < out[j].Var })
	return out
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
