package apibudget

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/config"
)

func TestTheLoopsShareOneRequestBudgetWhichTheDefaultsKeep(t *testing.T) {
	cfg := &config.Config{
		Forwarder: config.Forwarder{PollInterval: config.Seconds(60 * time.Second)},
		Watch:     config.Watch{On: true, Interval: config.Seconds(60 * time.Second)},
		Streams:   config.Streams{TrafficInterval: config.Seconds(60 * time.Second), ProxyInterval: config.Seconds(60 * time.Second)},
	}
	n, parts := PerMinute(cfg)
	require.InDelta(t, 4.33, n, 0.01, "the defaults: audit 1, watch 3 + 5 every 15 minutes (the expiry radar's invites and proxy tokens among them)")
	require.Equal(t, "audit 1.0, watch 3.3", parts)
	require.LessOrEqual(t, n, Limit)

	cfg.Streams.Traffic, cfg.Streams.Proxy = true, true
	n, parts = PerMinute(cfg)
	require.Greater(t, n, Limit, "both streams on as well: over NetBird's 6 a minute")
	require.Equal(t, "audit 1.0, watch 3.3, traffic 1.0, proxy 1.0", parts)

	cfg.Streams.Traffic, cfg.Streams.Proxy = false, false
	cfg.Watch.Fleet = true
	n, parts = PerMinute(cfg)
	require.Equal(t, "audit 1.0, watch 3.3, fleet 0.1", parts, "the fleet metrics add the policies every 15 minutes")
	require.LessOrEqual(t, n, Limit)
	cfg.Streams.Traffic, cfg.Streams.Proxy = true, true

	cfg.Watch.Interval = config.Seconds(180 * time.Second)
	n, _ = PerMinute(cfg)
	require.LessOrEqual(t, n, Limit, "WATCH_INTERVAL=180 makes room")
}

// With EVENTS_SOURCE=db the audit events come from events.db: a short
// EVENTS_DB_POLL_INTERVAL costs no API requests.
func TestTheStoreSourceSpendsNoAPIRequestsOnEvents(t *testing.T) {
	cfg := &config.Config{
		Forwarder: config.Forwarder{PollInterval: config.Seconds(time.Second)},
		Events:    config.Events{Source: "db"},
		Watch:     config.Watch{On: true, Interval: config.Seconds(60 * time.Second)},
	}
	n, parts := PerMinute(cfg)
	require.Equal(t, "watch 3.3", parts)
	require.LessOrEqual(t, n, Limit)
}
