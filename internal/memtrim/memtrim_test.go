package memtrim

import (
	"os"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const smapsSample = `00400000-00ce6000 r-xp 00000000 fd:01 1234 /usr/local/bin/birdseye
Size:               9112 kB
Rss:                7192 kB
Anonymous:             0 kB
VmFlags: rd ex mr mw me
00ce6000-01621000 r--p 008e6000 fd:01 1234 /usr/local/bin/birdseye
Rss:                7084 kB
Anonymous:             0 kB
01621000-01640000 r--p 01221000 fd:01 1234 /usr/local/bin/birdseye
Rss:                 124 kB
Anonymous:           124 kB
01640000-016f2000 rw-p 01240000 fd:01 1234 /usr/local/bin/birdseye
Anonymous:             0 kB
016f2000-0373e000 rw-p 00000000 00:00 0
Anonymous:           152 kB
7f8b46000000-7f8b46010000 r--p 00000000 fd:01 99 /usr/lib/other.so
Anonymous:             0 kB
7f8b46010000-7f8b46020000 r-xp 00000000 fd:01 1234 /usr/local/bin/birdseye
Anonymous:             0 kB
`

func TestCodeRegionsAreTheExecutablesReadOnlyMappingsThatWereNeverWritten(t *testing.T) {
	got, err := codeRegions(strings.NewReader(smapsSample), "/usr/local/bin/birdseye")
	require.NoError(t, err)
	assert.Equal(t, []region{
		{0x400000, 0xce6000},             // code
		{0xce6000, 0x1621000},            // read-only data
		{0x7f8b46010000, 0x7f8b46020000}, // the last mapping in the file counts too
	}, got, "relocated (written) read-only pages, variables, the heap and other files are kept")
}

func TestCodeRegionsOfAnotherExecutableAreNone(t *testing.T) {
	got, err := codeRegions(strings.NewReader(smapsSample), "/bin/other")
	require.NoError(t, err)
	assert.Empty(t, got)
}

func TestLowerGCGoalUnlessTheOperatorSetGOGC(t *testing.T) {
	orig := debug.SetGCPercent(100)
	t.Cleanup(func() { debug.SetGCPercent(orig) })

	t.Setenv("GOGC", "")
	LowerGCGoal()
	assert.Equal(t, GCPercent, debug.SetGCPercent(100), "GOGC empty: the lower goal")
	require.NoError(t, os.Unsetenv("GOGC"))
	LowerGCGoal()
	assert.Equal(t, GCPercent, debug.SetGCPercent(100), "GOGC unset: the lower goal")

	t.Setenv("GOGC", "80")
	debug.SetGCPercent(80) // what the runtime read at start
	LowerGCGoal()
	assert.Equal(t, 80, debug.SetGCPercent(100), "the operator's GOGC is kept")
}
