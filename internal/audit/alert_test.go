package audit

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/netbird"
)

func TestAnAPIThatAnswersWithAnUnreadableListIsNotCalledUnreachable(t *testing.T) {
	decode := &netbird.Error{Kind: netbird.KindDecode, Method: "GET", Path: "/api/events/audit", Status: 200, Message: "body ends early"}
	text := OutageText(5*time.Minute, decode)
	require.Contains(t, text, "NetBird API answers, but its audit list could not be read for 5 min")
	require.NotContains(t, text, "unreachable")

	down := &netbird.Error{Kind: netbird.KindNetwork, Method: "GET", Path: "/api/events/audit", Err: errors.New("connection refused")}
	require.Contains(t, OutageText(5*time.Minute, down), "NetBird API unreachable for 5 min")
}

func TestAnOutageOfTheStoreSourceNamesTheStoreNotTheAPI(t *testing.T) {
	cause := errors.New("read events.db: database disk image is malformed")
	text := StoreOutageText(5*time.Minute, cause)
	require.Equal(t, "NetBird's activity store (EVENTS_DB) unreadable for 5 min (read events.db: database disk image is malformed)", text)
	require.NotContains(t, text, "API")
	require.Equal(t, "NetBird's activity store (EVENTS_DB) readable again after 5 min outage", StoreRecoveryText(5*time.Minute))
}
