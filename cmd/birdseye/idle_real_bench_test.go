package main

import (
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/styliteag/birdseye/internal/clone/clonetest"
	"github.com/styliteag/birdseye/internal/netbird/realtest"
)

// BenchmarkDaemonIdleReal is BenchmarkDaemonIdle against the real NetBird
// management server (internal/netbird/realtest) on both transports: plain
// HTTP, and TLS, where Go speaks HTTP/2 to it as to NetBird behind Caddy or
// Traefik. The account holds 10,000 audit events (written into events.db
// while the server is stopped: every poll downloads them all), peers, a
// setup key and groups; birdseye runs as shipped (the watch on) with an
// auditor service user's token, POLL_INTERVAL=60, stdout and Mattermost.
// The budget is 15 MiB of resident memory once start-up is over.
func BenchmarkDaemonIdleReal(b *testing.B) {
	secs := idleSecs()
	for _, transport := range []string{"http", "tls"} {
		b.Run(transport, func(b *testing.B) {
			var s *realtest.Server
			var ca string
			if transport == "tls" {
				var cert, key string
				ca, cert, key = clonetest.Certs(b, b.TempDir())
				s = realtest.StartWith(b, realtest.Options{CertFile: cert, KeyFile: key, CAFile: ca})
			} else {
				s = realtest.Start(b)
			}
			busyAccount(b, s)
			_, token := s.ServiceUser(b, "birdseye", "auditor")
			_, hook := newMattermostForBench(b)
			for range b.N {
				env := []string{"PATH=" + os.Getenv("PATH"), "NB_URL=" + s.URL, "NB_API_KEY=" + token,
					"STATE_FILE=" + filepath.Join(b.TempDir(), "state.json"), "POLL_INTERVAL=60", "MATTERMOST_WEBHOOK_URL=" + hook,
					"SSL_CERT_FILE=/nonexistent/ca.pem", "SSL_CERT_DIR=/nonexistent"}
				if ca != "" {
					env = append(env, "NB_CA_FILE="+ca)
				}
				measureIdle(b, append(env, runtimeEnv()...), secs)
			}
		})
	}
}

// busyAccount gives a real server peers, groups, a setup key and 10,000
// audit events by its owner.
func busyAccount(b *testing.B, s *realtest.Server) {
	b.Helper()
	_, key := s.SetupKey(b, "office", realtest.SetupKeyOptions{})
	peers := s.Enrol(b, key, false, "gw-office", "laptop-ann", "laptop-bob")
	s.Group(b, "servers", peers.IDs()...)
	var accounts []struct {
		ID string `json:"id"`
	}
	s.MustDo(b, s.OwnerToken, "GET", "/api/accounts", nil, &accounts)
	s.Stop()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(s.DataDir, "events.db"))
	if err != nil {
		b.Fatal(err)
	}
	tx, err := db.Begin()
	if err != nil {
		b.Fatal(err)
	}
	codes := []int{16, 10, 18, 0} // group.add, policy.update, peer.group.add, peer.user.add
	for i := range 10000 {
		_, err := tx.Exec(`INSERT INTO events (timestamp, activity, initiator_id, target_id, account_id, meta) VALUES (datetime('now', ?), ?, ?, ?, ?, ?)`,
			fmt.Sprintf("-%d seconds", 10000-i), codes[i%len(codes)], s.OwnerID, fmt.Sprintf("t%05d", i), accounts[0].ID, fmt.Sprintf(`{"name":"object %d"}`, i))
		if err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	db.Close()
	s.Restart(b)
	var events []struct {
		ID string `json:"id"`
	}
	s.MustDo(b, s.OwnerToken, "GET", "/api/events/audit", nil, &events)
	if len(events) < 10000 {
		b.Fatalf("the server lists %d audit events, not the 10,000 written", len(events))
	}
}
