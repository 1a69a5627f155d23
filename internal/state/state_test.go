package state

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/event"
)

func TestLoadsTheFileThePythonToolWrote(t *testing.T) {
	p := filepath.Join(t.TempDir(), "state.json")
	require.NoError(t, os.WriteFile(p, []byte(`{"last_id": 3, "outage_started": 1795421633.6952813, "outage_alerted": true}`), 0o644))
	st, err := File{p}.Load()
	require.NoError(t, err)
	require.Equal(t, event.ID(3), st.Cursor.LastID)
	require.Equal(t, event.ID(3), st.Cursor.Floor)
	require.True(t, st.OutageAlerted)
	require.Equal(t, int64(1795421633), st.OutageStarted.Unix())
	require.False(t, st.Cursor.IsNew(3))
	require.True(t, st.Cursor.IsNew(4))
}

func TestLastIDFormsThePythonToolAccepted(t *testing.T) {
	for in, want := range map[string]event.ID{`{"last_id": 5}`: 5, `{"last_id": "6"}`: 6, `{"last_id": 7.9}`: 7, `{"last_id": 0}`: 0} {
		st, err := Decode([]byte(in))
		require.NoError(t, err, in)
		require.Equal(t, want, st.Cursor.LastID, in)
		require.True(t, st.OutageStarted.IsZero())
	}
}

func TestCorruptFilesAreReportedNotFatal(t *testing.T) {
	for _, body := range []string{"", "  \n", "{", "[1]", "null", `"x"`, `{"last_id": null}`, `{"last_id": "abc"}`, `{"last_id": -1}`, `{}`,
		`{"last_id": 1, "outage_started": "x"}`, `{"last_id": 1, "outage_alerted": 3}`, `{"last_id": 1, "window": 5}`} {
		p := filepath.Join(t.TempDir(), "state.json")
		require.NoError(t, os.WriteFile(p, []byte(body), 0o600))
		_, err := File{p}.Load()
		require.ErrorIs(t, err, ErrCorrupt, "%q", body)
	}
}

func TestMissingFileIsFirstBoot(t *testing.T) {
	st, err := File{filepath.Join(t.TempDir(), "nope.json")}.Load()
	require.NoError(t, err)
	require.Nil(t, st)
}

func TestUnreadableFileIsAnErrorButNotCorrupt(t *testing.T) {
	// A directory where the file should be: unreadable for root too.
	_, err := File{t.TempDir()}.Load()
	require.Error(t, err)
	require.False(t, errors.Is(err, ErrCorrupt))
	require.ErrorContains(t, err, "read state file")
}

func TestSaveRoundTripsAndKeepsUnknownKeys(t *testing.T) {
	p := filepath.Join(t.TempDir(), "sub", "state.json")
	require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o700))
	require.NoError(t, os.WriteFile(p, []byte(`{"last_id": 10, "outage_started": null, "outage_alerted": false, "future_key": {"a": [1, 2]}}`), 0o600))
	f := File{p}
	st, err := f.Load()
	require.NoError(t, err)
	now := time.Unix(1_800_000_000, 0)
	st.Cursor.Advance([]event.ID{12, 11}, now)
	st.OutageStarted = time.Unix(1_800_000_100, 500_000_000)
	require.NoError(t, f.Save(st))

	b, err := os.ReadFile(p)
	require.NoError(t, err)
	require.Contains(t, string(b), `{"last_id": 12, "outage_started": 1800000100.500000, "outage_alerted": false, "window": {"floor":10,"seen":[{"at":1800000000,"ids":[11,12]}]}, "future_key": {"a": [1, 2]}}`)
	fi, err := os.Stat(p)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), fi.Mode().Perm())

	again, err := f.Load()
	require.NoError(t, err)
	require.Equal(t, event.ID(12), again.Cursor.LastID)
	require.False(t, again.Cursor.IsNew(11))
	require.False(t, again.Cursor.IsNew(12))
	require.True(t, again.Cursor.IsNew(13))
	require.Equal(t, st.OutageStarted.UnixNano(), again.OutageStarted.UnixNano())

	entries, _ := os.ReadDir(filepath.Dir(p))
	require.Len(t, entries, 1, "no temp file left behind")
}

func TestSaveCreatesTheDirectoryPrivate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "birdseye")
	f := File{filepath.Join(dir, "state.json")}
	require.NoError(t, f.Save(&State{Cursor: Seed(4)}))
	fi, err := os.Stat(dir)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o700), fi.Mode().Perm())
}

func TestSaveFailsClearlyWhenTheDirectoryIsNotWritable(t *testing.T) {
	dir := t.TempDir()
	blocker := filepath.Join(dir, "file")
	require.NoError(t, os.WriteFile(blocker, nil, 0o600))
	err := File{filepath.Join(blocker, "state.json")}.Save(&State{})
	require.ErrorContains(t, err, "create state directory")
}

func TestQuarantineKeepsTheCorruptFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "state.json")
	require.NoError(t, os.WriteFile(p, []byte("{"), 0o600))
	to, err := File{p}.Quarantine(time.Unix(1700000000, 0))
	require.NoError(t, err)
	require.Equal(t, p+".corrupt-1700000000", to)
	b, _ := os.ReadFile(to)
	require.Equal(t, "{", string(b))
}
