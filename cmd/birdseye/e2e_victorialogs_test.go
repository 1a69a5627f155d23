package main

import (
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/netbird/fake"
	"github.com/styliteag/birdseye/internal/vltest"
)

// The four machine sinks of the log stores (Splunk's HEC, Elasticsearch's
// _bulk, Loki's push API, OTLP logs) send to a real VictoriaLogs, which
// reads each protocol with its own code: every audit event is stored once
// per sink at its own time with its fields as sent, and the proxy-log row
// reaches each of them too.
func TestE2EARealLogStoreReadsWhatEachMachineSinkSends(t *testing.T) {
	vl := vltest.Start(t)
	f, api := newAPI(t)
	f.AddN(1, "group.add", "g")
	d := start(t, baseEnv(t, api, filepath.Join(t.TempDir(), "state.json"), "STDOUT_INCLUDE=", "STDOUT_PROXY_INCLUDE=",
		"PROXY_LOGS=on", "PROXY_POLL_INTERVAL=0.05",
		// extra_fields tells the four apart in one store.
		"SPLUNK_HEC_URL="+vl.URL+"/insert/splunk?extra_fields=via=splunk", "SPLUNK_HEC_TOKEN=any",
		"ELASTIC_URL="+vl.URL+"/insert/elasticsearch?extra_fields=via=elastic&_time_field=@timestamp", "ELASTIC_API_KEY=any",
		"LOKI_URL="+vl.URL+"/insert?extra_fields=via=loki",
		"OTLP_LOGS_ENDPOINT="+vl.URL+"/insert/opentelemetry/v1/logs?extra_fields=via=otlp"))
	d.waitLog("proxy access log: forwarding new ones from now on")
	f.AddN(4, "policy.update", "web <b>&")
	f.AddProxyLogs(fake.Access{Time: time.Now().UTC().Truncate(time.Second), Method: "POST", Host: "vault.example.com", Path: "/login",
		Status: 401, SourceIP: "198.51.100.9"})
	// The field names each protocol gives an event's id, key, code and a
	// meta value, as the store flattens them.
	fields := map[string][4]string{
		"splunk":  {"event.id", "event.key", "event.activity_code", "event.meta.name"},
		"elastic": {"id", "key", "activity_code", "meta.name"},
		"loki":    {"id", "key", "activity_code", "meta.name"},
		"otlp":    {"netbird.event.id", "netbird.event.key", "netbird.activity.code", "netbird.meta.name"},
	}
	d.waitFor("four events and the row in each", func() bool { return len(vl.Query(t, "via:*")) >= 20 })
	waitMorePolls(d, f, "/api/events/audit", 3)
	times := map[string]time.Time{}
	for _, e := range f.Events() {
		at, _ := e.Time()
		times[e.ID.String()] = at
	}
	for via, fl := range fields {
		rows := vl.Query(t, "via:="+via)
		var ids, keys []string
		for _, r := range rows {
			if r[fl[1]] != "" {
				keys = append(keys, r[fl[1]])
				continue
			}
			ids = append(ids, r[fl[0]])
			require.Equal(t, "policy.update", r[fl[2]], via)
			require.Regexp(t, `^web <b>&-\d$`, r[fl[3]], "%s: the value as it was", via)
			at, err := time.Parse(time.RFC3339Nano, r["_time"])
			require.NoError(t, err)
			require.WithinDuration(t, times[r[fl[0]]], at, time.Millisecond, "%s: stored at the event's time", via)
		}
		slices.Sort(ids)
		require.Equal(t, []string{"2", "3", "4", "5"}, ids, "%s: every event once", via)
		require.Equal(t, []string{"al000001"}, keys, "%s: the proxy row", via)
	}
	require.Empty(t, vl.Log(), "no warning from the store")
}

// The syslog sink's messages are read by a real syslog parser (the log
// store's): RFC 5424 over TCP with every structured-data value as it was,
// escapes and all, at the event's time and severity; RFC 3164 over UDP with
// its tag and the event's line.
func TestE2EARealSyslogParserReadsBothFormats(t *testing.T) {
	vl := vltest.Start(t)
	f, api := newAPI(t)
	f.AddN(1, "group.add", "g")
	var d *daemon
	for _, c := range []struct{ addr, format string }{{"tcp://" + vl.SyslogTCP, "rfc5424"}, {"udp://" + vl.SyslogUDP, "rfc3164"}} {
		d = start(t, baseEnv(t, api, filepath.Join(t.TempDir(), "state.json"), "STDOUT_INCLUDE=", "SYSLOG_ADDR="+c.addr, "SYSLOG_FORMAT="+c.format))
		d.waitLog("first boot")
	}
	f.AddN(2, "policy.update", `web "q" ] \ <b>&`)
	f.AddN(1, "user.block", "mallory")
	in := func(format string) []map[string]string { return vl.Query(t, "format:="+format) }
	d.waitFor("three messages in each format", func() bool { return len(in("rfc5424")) >= 3 && len(in("rfc3164")) >= 3 })
	times := map[string]time.Time{}
	for _, e := range f.Events() {
		times[e.ID.String()], _ = e.Time()
	}

	rows := in("rfc5424")
	require.Len(t, rows, 3)
	for _, r := range rows {
		id := r["birdseye@32473.id"]
		at, err := time.Parse(time.RFC3339Nano, r["_time"])
		require.NoError(t, err)
		require.WithinDuration(t, times[id], at, time.Microsecond, "the event's time")
		require.Equal(t, "birdseye", r["app_name"])
		require.Equal(t, r["msg_id"], r["birdseye@32473.code"])
		switch r["msg_id"] {
		case "policy.update":
			require.Regexp(t, `^web "q" \] \\ <b>&-\d$`, r["meta@32473.name"], "escaped as RFC 5424 says, read back whole")
			require.Equal(t, "notice", r["level"])
		case "user.block":
			require.Equal(t, "warning", r["level"], "a block can lock someone out")
		default:
			t.Fatalf("unexpected message %v", r)
		}
	}
	rows = in("rfc3164")
	require.Len(t, rows, 3)
	for _, r := range rows {
		require.Equal(t, "birdseye", r["app_name"])
		require.Contains(t, r["_msg"], "  system  ", "the event's line")
	}
}
