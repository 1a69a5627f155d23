// Package apibudget is what the daemon's loops ask of the NetBird API a
// minute with one token, against the limit NetBird's optional rate limiter
// sets: the daemon warns at start, doctor shows the figure.
package apibudget

import (
	"fmt"
	"strings"

	"github.com/styliteag/birdseye/internal/config"
	"github.com/styliteag/birdseye/internal/watch"
)

// Limit is what NetBird's optional API rate limiter allows a token: 6
// requests a minute.
const Limit = 6.0

// PerMinute estimates what the daemon's loops ask of the API with
// NB_API_KEY, with the share of each: they all spend the same token's
// budget. (Access tokens, one request per user an hour, are not counted.)
func PerMinute(cfg *config.Config) (float64, string) {
	type part struct {
		name string
		n    float64
	}
	var parts []part
	if !cfg.Events.FromDB() { // the store source reads events.db, not the API
		parts = append(parts, part{"audit", 60 / cfg.Forwarder.PollInterval.D().Seconds()})
	}
	if cfg.Watch.On {
		parts = append(parts, part{"watch", watch.RequestsPerRound*60/cfg.Watch.Interval.D().Seconds() + watch.SlowRequests/15.0})
		if cfg.Watch.Fleet { // the policies, read with the routes
			parts = append(parts, part{"fleet", watch.FleetRequests / 15.0})
		}
	}
	if cfg.Streams.Traffic {
		parts = append(parts, part{"traffic", 60 / cfg.Streams.TrafficInterval.D().Seconds()})
	}
	if cfg.Streams.Proxy {
		parts = append(parts, part{"proxy", 60 / cfg.Streams.ProxyInterval.D().Seconds()})
	}
	total := 0.0
	var shown []string
	for _, p := range parts {
		total += p.n
		shown = append(shown, fmt.Sprintf("%s %.1f", p.name, p.n))
	}
	return total, strings.Join(shown, ", ")
}
