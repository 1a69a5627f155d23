package event

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSeverityPutsWhatCanLockPeopleOutAboveTheRest(t *testing.T) {
	for code, want := range map[string]int{"birdseye.alert": 3, "user.block": 4, "policy.delete": 4, "user.role.update": 4,
		"setupkey.revoke": 4, "traffic.blocked": 4, "proxy.failed": 4, "birdseye.peer.disconnected": 4,
		"personal.access.token.create": 4, "policy.update": 5, "user.peer.login": 5} {
		require.Equal(t, want, Severity(Event{ActivityCode: code}), code)
	}
}
