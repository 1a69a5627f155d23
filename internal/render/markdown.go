package render

import (
	"cmp"
	"fmt"
	"strings"
	"time"

	"github.com/styliteag/birdseye/internal/event"
)

// The chat renderings (Mattermost; Slack, Discord and Teams adapt it) are the
// old tool's: one verb-led markdown line per event,
//
//	`2026-05-21 12:58:43`  **Peer login expired**: laptop · `10.0.0.1` · Nuremberg, DE  _Alice_  · key='v'
//
// with values holding a colon in backticks, because Mattermost reads `:xx:`
// as an emoji and mangles IPv6 addresses and times.

type shape int

const (
	generic shape = iota
	peerShape
	userShape
	groupShape
	named
)

type label struct {
	text  string
	shape shape
}

// labels are the old tool's labels, under the codes the server really emits
// (and the old spellings, which older servers may still send). Every other
// known code is labelled with the server's own activity text.
var labels = map[string]label{
	"peer.login.expire":            {"Peer login expired", peerShape},
	"peer.login.expired":           {"Peer login expired", peerShape},
	"user.peer.login":              {"Peer logged in", peerShape},
	"user.peer.delete":             {"Peer deleted", peerShape},
	"peer.delete":                  {"Peer deleted", peerShape},
	"peer.rename":                  {"Peer renamed", peerShape},
	"peer.ssh.enable":              {"Peer SSH enabled", peerShape},
	"peer.ssh.disable":             {"Peer SSH disabled", peerShape},
	"peer.approve":                 {"Peer approved", peerShape},
	"peer.setupkey.add":            {"Peer joined via setup key", peerShape},
	"setupkey.peer.add":            {"Peer joined via setup key", peerShape},
	"peer.user.add":                {"Peer added", peerShape},
	"user.create":                  {"User created", userShape},
	"user.invite":                  {"User invited", userShape},
	"user.join":                    {"User joined", userShape},
	"user.delete":                  {"User deleted", userShape},
	"user.update":                  {"User updated", userShape},
	"user.role.update":             {"User role updated", userShape},
	"user.block":                   {"User blocked", userShape},
	"user.unblock":                 {"User unblocked", userShape},
	"service.user.create":          {"Service user created", userShape},
	"service.user.delete":          {"Service user deleted", userShape},
	"group.add":                    {"Group created", groupShape},
	"group.update":                 {"Group updated", groupShape},
	"group.delete":                 {"Group deleted", groupShape},
	"policy.add":                   {"Policy created", named},
	"policy.update":                {"Policy updated", named},
	"policy.delete":                {"Policy deleted", named},
	"setupkey.add":                 {"Setup key created", named},
	"setupkey.update":              {"Setup key updated", named},
	"setupkey.delete":              {"Setup key deleted", named},
	"setupkey.revoke":              {"Setup key revoked", named},
	"personal.access.token.create": {"Personal token created", named},
	"personal.access.token.delete": {"Personal token deleted", named},
	"personalaccesstoken.create":   {"Personal token created", named},
	"personalaccesstoken.delete":   {"Personal token deleted", named},
	"route.add":                    {"Route created", named},
	"route.update":                 {"Route updated", named},
	"route.delete":                 {"Route deleted", named},
	"nameserver.group.add":         {"Nameserver group created", named},
	"nameserver.group.update":      {"Nameserver group updated", named},
	"nameserver.group.delete":      {"Nameserver group deleted", named},
	"posture.check.create":         {"Posture check created", named},
	"posture.check.update":         {"Posture check updated", named},
	"posture.check.delete":         {"Posture check deleted", named},
	"account.create":               {"Account created", generic},

	// birdseye's own (the watch); the text comes from the event.
	"birdseye.peer.disconnected":          {"", peerShape},
	"birdseye.peer.reconnected":           {"", peerShape},
	"birdseye.peer.approval.pending":      {"", peerShape},
	"birdseye.peer.login.expiring":        {"", peerShape},
	"birdseye.peer.new_country":           {"", peerShape},
	"birdseye.user.approval.pending":      {"", userShape},
	"birdseye.setupkey.expiring":          {"", named},
	"birdseye.token.expiring":             {"", named},
	"birdseye.invite.expiring":            {"", userShape},
	"birdseye.proxytoken.expiring":        {"", named},
	"birdseye.setupkey.uses_nearly_spent": {"", named},
	"birdseye.expiry.digest":              {"", generic},
	"birdseye.certificate.expiring":       {"", named},
	"birdseye.certificate.invalid":        {"", named},
	"birdseye.test":                       {"", generic},
}

// namedPrefixes: codes under these first segments name their object (meta
// name, new_name or the target id) after the label.
var namedPrefixes = map[string]bool{
	"peer": true, "user": true, "group": true, "policy": true, "setupkey": true, "personalaccesstoken": true,
	"personal": true, "route": true, "nameserver": true, "dns": true, "posturecheck": true, "posture": true,
	"service": true, "integration": true, "network": true, "resource": true, "identityprovider": true,
	"domain": true, "agent_network": true, "rule": true,
}

var serverText = func() map[string]string {
	m := make(map[string]string, len(event.KnownCodes))
	for _, c := range event.KnownCodes {
		m[c.Code] = c.Activity
	}
	return m
}()

// rawLabel reports whether code's label is made from the code itself (a
// code birdseye does not know): a value from the API.
func rawLabel(code string) bool {
	_, known := labels[code]
	return !known && serverText[code] == ""
}

func labelFor(code string) label {
	if l, ok := labels[code]; ok {
		return l
	}
	first, _, _ := strings.Cut(code, ".")
	sh := generic
	if first != "account" && namedPrefixes[first] {
		sh = named
	}
	if t, ok := serverText[code]; ok {
		return label{t, sh}
	}
	if code == "" {
		return label{"Event", generic}
	}
	return label{capitalize(strings.NewReplacer(".", " ", "_", " ").Replace(code)), sh}
}

// capitalize is Python's str.capitalize: first letter upper, the rest lower.
func capitalize(s string) string {
	r := []rune(strings.ToLower(s))
	if len(r) > 0 {
		r[0] = []rune(strings.ToUpper(string(r[0])))[0]
	}
	return string(r)
}

// noisy meta keys are never shown in chat lines.
var noisy = map[string]bool{
	"location_geo_name_id": true, "location_connection_id": true, "location_connection_ip": true,
	"fqdn": true, "created_at": true, "issued": true,
}

var consumed = map[shape][]string{
	peerShape:  {"name", "fqdn", "ip", "location_city_name", "location_country_code"},
	groupShape: {"name", "new_name", "old_name"},
	userShape:  {"username", "name", "email"},
	named:      {"name", "new_name"},
}

// MarkdownLine is one event as a Mattermost line.
func MarkdownLine(e event.Event, loc *time.Location) string { return Mattermost.Line(e, loc) }

// Line is one event as a chat line in this markup.
func (mk Markup) Line(e event.Event, loc *time.Location) string {
	l := labelFor(e.ActivityCode)
	text := l.text
	if text == "" || rawLabel(e.ActivityCode) {
		text = mk.text(cmp.Or(text, e.Activity))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "`%s`  **%s**", Time(e, loc), text)
	if s := subject(e, l.shape, mk); s != "" {
		b.WriteString(": " + s)
	}
	if who := e.Initiator(); who != "system" && e.Stream != event.StreamWatch {
		b.WriteString("  _" + mk.text(who) + "_")
	}
	if x := extra(e.Meta, l.shape, mk); x != "" {
		b.WriteString("  · " + x)
	}
	b.WriteString(mk.diffBullets(e))
	return b.String()
}

// plain renders values as they are, for the mail's plain text.
var plain = Markup{text: func(s string) string { return s }, code: func(s string) string { return s }}

func subject(e event.Event, sh shape, mk Markup) string {
	m := e.Meta
	switch sh {
	case peerShape:
		parts := []string{mk.text(cmp.Or(m.Get("name"), m.Get("fqdn"), e.TargetID))}
		if ip := m.Get("ip"); ip != "" {
			parts = append(parts, mk.Span(ip))
		}
		city, cc := m.Get("location_city_name"), m.Get("location_country_code")
		switch {
		case city != "" && cc != "":
			parts = append(parts, mk.text(city+", "+cc))
		case city != "" || cc != "":
			parts = append(parts, mk.text(city+cc))
		}
		return strings.Join(parts, " · ")
	case groupShape:
		oldN, newN := m.Get("old_name"), m.Get("new_name")
		if oldN != "" && newN != "" && oldN != newN {
			return mk.text(fmt.Sprintf("%q", oldN)) + " → " + mk.text(fmt.Sprintf("%q", newN))
		}
		return mk.text(cmp.Or(m.Get("name"), newN, oldN, e.TargetID))
	case userShape:
		name, email := cmp.Or(m.Get("username"), m.Get("name")), m.Get("email")
		if name != "" && email != "" && name != email {
			return mk.text(name) + " (" + mk.text(email) + ")"
		}
		return mk.text(cmp.Or(name, email, e.TargetID))
	case named:
		return mk.text(cmp.Or(m.Get("name"), m.Get("new_name"), e.TargetID))
	}
	return ""
}

func extra(m event.Meta, sh shape, mk Markup) string {
	skip := map[string]bool{}
	for _, k := range consumed[sh] {
		skip[k] = true
	}
	var pairs []string
	for _, f := range m {
		if skip[f.Key] || noisy[f.Key] {
			continue
		}
		v := f.Value
		if f.Raw != nil {
			if string(f.Raw) == "null" {
				continue
			}
			v = pyStr(f)
		}
		if v == "" {
			continue
		}
		if strings.Contains(v, ":") {
			pairs = append(pairs, mk.text(f.Key)+"="+mk.Span(v))
		} else {
			pairs = append(pairs, mk.text(f.Key)+"='"+mk.text(v)+"'")
		}
	}
	return strings.Join(pairs, " ")
}

// pyStr is Python's str() of a decoded JSON value (a top-level string raw).
func pyStr(f event.MetaField) string {
	if f.Raw == nil {
		return f.Value
	}
	return ReprJSON(f.Raw)
}
