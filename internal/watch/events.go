package watch

import (
	"fmt"
	"strings"
	"time"

	"github.com/styliteag/birdseye/internal/event"
	"github.com/styliteag/birdseye/internal/netbird"
)

// The synthetic events' codes, under birdseye.* so that the sinks'
// include/exclude globs select them like NetBird's own.
const (
	CodeDisconnected  = "birdseye.peer.disconnected"
	CodeReconnected   = "birdseye.peer.reconnected"
	CodePeerApproval  = "birdseye.peer.approval.pending"
	CodeUserApproval  = "birdseye.user.approval.pending"
	CodeKeyExpiring   = "birdseye.setupkey.expiring"
	CodeLoginExpiring = "birdseye.peer.login.expiring"
	CodeTokenExpiring = "birdseye.token.expiring"
	CodeNewCountry    = "birdseye.peer.new_country"
	initiator         = "birdseye"
	timeLayout        = "2006-01-02 15:04:05 MST"
)

func synthetic(code, key, activity, target string, now time.Time, meta ...string) event.Event {
	e := event.Event{Stream: event.StreamWatch, Key: key, Labels: []string{code}, Timestamp: now.UTC().Format(time.RFC3339Nano),
		ActivityCode: code, Activity: activity, InitiatorID: "sys", InitiatorLabel: initiator, TargetID: target}
	for i := 0; i+1 < len(meta); i += 2 {
		if meta[i+1] != "" {
			e.Meta = append(e.Meta, event.MetaField{Key: meta[i], Value: meta[i+1]})
		}
	}
	return e
}

func kind(routing bool) string {
	if routing {
		return "Routing peer"
	}
	return "Peer"
}

// span is a duration as people say it: 7m, 3h12m, 2d4h.
func span(d time.Duration) string {
	if d < time.Minute {
		return fmt.Sprintf("%ds", int(d.Seconds()))
	}
	// Under an hour, whole minutes gone by (31 s is "31s", 90 s "1m");
	// beyond, to the nearest minute (a key expiring in 2d23h59m59s is "3d").
	if d < time.Hour {
		d = d.Truncate(time.Minute)
	} else {
		d = d.Round(time.Minute)
	}
	switch {
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return strings.TrimSuffix(fmt.Sprintf("%dh%dm", int(d.Hours()), int(d.Minutes())%60), "0m")
	}
	days, hours := int(d.Hours())/24, int(d.Hours())%24
	if hours == 0 {
		return fmt.Sprintf("%dd", days)
	}
	return fmt.Sprintf("%dd%dh", days, hours)
}

func groups(p netbird.Peer) string {
	var names []string
	for _, g := range p.Groups {
		if g.Name != "All" {
			names = append(names, g.Name)
		}
	}
	return strings.Join(names, ",")
}

func disconnected(p netbird.Peer, routing bool, since, now time.Time) event.Event {
	return synthetic(CodeDisconnected, fmt.Sprintf("%s|%s|%d", CodeDisconnected, p.ID, since.Unix()),
		fmt.Sprintf("%s disconnected %s ago", kind(routing), span(now.Sub(since))), p.ID, now,
		"name", p.Name, "ip", p.IP, "last_seen", since.UTC().Format(timeLayout), "groups", groups(p))
}

func reconnected(p netbird.Peer, routing bool, since, now time.Time) event.Event {
	return synthetic(CodeReconnected, fmt.Sprintf("%s|%s|%d", CodeReconnected, p.ID, since.Unix()),
		fmt.Sprintf("%s reconnected after %s", kind(routing), span(now.Sub(since))), p.ID, now,
		"name", p.Name, "ip", p.IP, "groups", groups(p))
}

func peerApproval(p netbird.Peer, now time.Time) event.Event {
	return synthetic(CodePeerApproval, CodePeerApproval+"|"+p.ID, "Peer waits for approval", p.ID, now,
		"name", p.Name, "ip", p.IP, "os", p.OS, "location_country_code", p.CountryCode)
}

func userApproval(u netbird.User, now time.Time) event.Event {
	return synthetic(CodeUserApproval, CodeUserApproval+"|"+u.ID, "User waits for approval", u.ID, now,
		"name", u.Name, "email", u.Email)
}

func keyExpiring(k netbird.SetupKey, by string, left time.Duration, now time.Time) event.Event {
	return synthetic(CodeKeyExpiring, fmt.Sprintf("%s|%s|%d|%d", CodeKeyExpiring, k.ID, k.Expires.Unix(), int(left.Hours()/24)),
		"Setup key expires in "+span(left), k.ID, now, "name", k.Name, "expires", k.Expires.UTC().Format(timeLayout), "type", k.Type,
		"created_by", owner(by), "renew", renew[CodeKeyExpiring])
}

func tokenExpiring(u netbird.User, t netbird.Token, left time.Duration, now time.Time) event.Event {
	owner := u.Name
	if owner == "" {
		owner = u.Email
	}
	return synthetic(CodeTokenExpiring, fmt.Sprintf("%s|%s|%d|%d", CodeTokenExpiring, t.ID, t.ExpirationDate.Unix(), int(left.Hours()/24)),
		"Personal access token expires in "+span(left), t.ID, now, "name", t.Name, "user", owner, "expires", t.ExpirationDate.UTC().Format(timeLayout),
		"renew", renew[CodeTokenExpiring])
}

func loginExpiring(p netbird.Peer, user string, expires time.Time, left time.Duration, now time.Time) event.Event {
	return synthetic(CodeLoginExpiring, fmt.Sprintf("%s|%s|%d|%d", CodeLoginExpiring, p.ID, expires.Unix(), int(left.Hours()/24)),
		"Peer login expires in "+span(left), p.ID, now, "name", p.Name, "ip", p.IP, "expires", expires.UTC().Format(timeLayout),
		"user", user, "renew", renew[CodeLoginExpiring])
}

func newCountry(p netbird.Peer, before []string, now time.Time) event.Event {
	return synthetic(CodeNewCountry, fmt.Sprintf("%s|%s|%s", CodeNewCountry, p.ID, p.CountryCode),
		"Peer connected from a new country: "+p.CountryCode, p.ID, now,
		"name", p.Name, "connection_ip", p.ConnectionIP, "location_country_code", p.CountryCode, "location_city_name", p.CityName,
		"countries_before", strings.Join(before, ","))
}
