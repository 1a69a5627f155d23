package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/promtest"
)

const monitoring = "../../docs/monitoring"

func promtool(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command(promtest.Path(t), args...).CombinedOutput()
	require.NoError(t, err, "promtool %s:\n%s", strings.Join(args, " "), out)
	return string(out)
}

// The shipped alert rules are valid and behave as their unit tests say
// (promtool check rules, promtool test rules).
func TestTheAlertRulesPassPromtool(t *testing.T) {
	out := promtool(t, "check", "rules", filepath.Join(monitoring, "birdseye.rules.yml"))
	require.Contains(t, out, "SUCCESS")
	out = promtool(t, "test", "rules", filepath.Join(monitoring, "birdseye.rules.test.yml"))
	require.Contains(t, out, "SUCCESS")
}

var metricName = regexp.MustCompile(`\b(?:birdseye|netbird)_[a-z0-9_]+`)

// dashboardQueries are the dashboard's PromQL expressions, its variables
// filled in as Grafana fills them.
func dashboardQueries(t *testing.T) []string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(monitoring, "grafana-dashboard.json"))
	require.NoError(t, err)
	var d struct {
		Panels []struct {
			Title   string `json:"title"`
			Targets []struct {
				Expr string `json:"expr"`
			} `json:"targets"`
		} `json:"panels"`
	}
	require.NoError(t, json.Unmarshal(raw, &d))
	var exprs []string
	for _, p := range d.Panels {
		for _, tg := range p.Targets {
			exprs = append(exprs, strings.ReplaceAll(tg.Expr, "$instance", ".*"))
		}
	}
	require.Greater(t, len(exprs), 30)
	return exprs
}

// Every query of the dashboard parses (promtool checks it as a recording
// rule), and every metric it names is served by a running demo with the
// fleet metrics, a watched certificate and a scheduled job.
func TestTheDashboardsQueriesParseAndNameMetricsTheDaemonServes(t *testing.T) {
	exprs := dashboardQueries(t)
	var rules strings.Builder
	rules.WriteString("groups:\n  - name: dashboard\n    rules:\n")
	for i, e := range exprs {
		q, _ := json.Marshal(e)
		fmt.Fprintf(&rules, "      - record: dashboard:query_%d\n        expr: %s\n", i, q)
	}
	file := filepath.Join(t.TempDir(), "dashboard.rules.yml")
	require.NoError(t, os.WriteFile(file, []byte(rules.String()), 0o644))
	require.Contains(t, promtool(t, "check", "rules", file), fmt.Sprintf("SUCCESS: %d rules found", len(exprs)))

	names := map[string]bool{}
	for _, e := range exprs {
		for _, n := range metricName.FindAllString(e, -1) {
			names[n] = true
		}
	}
	body := scrapeDemo(t)
	var missing []string
	for n := range names {
		if !regexp.MustCompile(`(?m)^` + n + `[{ ]`).MatchString(body) {
			missing = append(missing, n)
		}
	}
	slices.Sort(missing)
	require.Empty(t, missing, "the dashboard names metrics the daemon does not serve")
}

// The alert rules name metrics the code emits: served by the demo, or
// written by internal/metrics (a backup's, say, after its first run).
func TestTheAlertRulesNameMetricsThatExist(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(monitoring, "birdseye.rules.yml"))
	require.NoError(t, err)
	code, err := os.ReadFile("../../internal/metrics/metrics.go")
	require.NoError(t, err)
	fleet, err := os.ReadFile("../../internal/fleet/fleet.go")
	require.NoError(t, err)
	watch, err := os.ReadFile("../../internal/watch/watch.go")
	require.NoError(t, err)
	src := string(code) + string(fleet) + string(watch)
	for _, line := range strings.Split(string(raw), "\n") {
		if !strings.Contains(line, "expr:") {
			continue
		}
		for _, n := range metricName.FindAllString(line, -1) {
			require.Contains(t, src, `"`+n+`"`, "%s is in the rules but no code writes it", n)
		}
	}
}

func scrapeDemo(t *testing.T) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "demo CA"}, IsCA: true, BasicConstraintsValid: true,
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(1, 0, 0), KeyUsage: x509.KeyUsageCertSign}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &key.PublicKey, key)
	require.NoError(t, err)
	ca, _ := x509.ParseCertificate(caDER)
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	require.NoError(t, os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), 0o644))
	port := tlsEndpoint(t, time.Now().AddDate(0, 2, 0), ca, key)
	addr := freeAddr(t)
	d := start(t, []string{"PATH=" + os.Getenv("PATH"), "METRICS_ADDR=" + addr, "FLEET_METRICS=on", "CERT_WATCH_HOSTS=localhost:" + port,
		"SSL_CERT_FILE=" + caFile, "CRON_CLEANUP_EPHEMERAL=@every 1s", "TZ=UTC", "FILE_SINK_PATH=" + filepath.Join(t.TempDir(), "events.jsonl")},
		"demo", "--every", "200ms")
	var body string
	d.waitFor("the demo's metrics, a job run and the fleet included", func() bool {
		_, body = get(addr, "/metrics")
		return strings.Contains(body, "birdseye_job_last_success_timestamp_seconds{") && strings.Contains(body, "netbird_peers ") &&
			strings.Contains(body, "birdseye_certificate_expiry_timestamp_seconds{") && strings.Contains(body, "netbird_audit_newest_event_timestamp_seconds ") &&
			strings.Contains(body, "netbird_routing_peer_connected{")
	})
	d.signal(syscall.SIGTERM)
	d.waitExit()
	return body
}
