package event

import "strings"

// Severity is how serious an event is, as a syslog severity: 3 (error) for
// birdseye's alerts, 4 (warning) for what can lock people out or open the
// network (deletions, blocks, role changes, disabled checks, revoked keys,
// blocked traffic, refused logins, a routing peer down, tokens), 5 (notice)
// for the rest. The syslog sink sends it; ntfy picks its priority by it.
func Severity(e Event) int {
	c := e.ActivityCode
	switch {
	case c == "birdseye.alert":
		return 3
	case strings.HasSuffix(c, ".delete") || strings.HasSuffix(c, ".block") || strings.Contains(c, "role.update") ||
		strings.HasSuffix(c, ".disable") || strings.HasSuffix(c, ".revoke") || c == "traffic.blocked" || c == "proxy.failed" ||
		c == "birdseye.peer.disconnected" || strings.HasSuffix(c, ".overuse") || strings.HasPrefix(c, "personal.access.token."):
		return 4
	}
	return 5
}

// SeverityName is Severity by its syslog name (error, warning, notice), for
// the sinks that label records with a word (Loki's label, OTLP's text).
func SeverityName(e Event) string {
	switch Severity(e) {
	case 3:
		return "error"
	case 4:
		return "warning"
	}
	return "notice"
}
