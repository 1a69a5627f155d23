package render

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestSplitLinesCutsALineLongerThanAMessage(t *testing.T) {
	long := strings.Repeat("x", 25)
	require.Equal(t, []Part{{"ab", 1}, {strings.Repeat("x", 10), 0}, {strings.Repeat("x", 10), 0}, {"xxxxx\ncd", 2}}, SplitLines([]string{"ab", long, "cd"}, 10))
	require.Equal(t, []Part{{"a\nb", 2}, {"c", 1}}, SplitLines([]string{"a", "b", "c"}, 3))
	require.Nil(t, SplitLines(nil, 10))
}

func TestChatLinesNameTheSinksOwnOutbox(t *testing.T) {
	lines, lineOf := Slack.ChatLines(ChatBatch{Alerts: []string{"down"}, Dropped: 2, Skipped: 3, Outbox: "slack"}, nil, 0)
	require.Equal(t, []string{AlertPrefix + "down", ":warning: 2 events dropped: the slack outbox was full (SINK_QUEUE_MAX)", ":warning: skipped 3 older events on catch-up"}, lines)
	require.Empty(t, lineOf)
}
