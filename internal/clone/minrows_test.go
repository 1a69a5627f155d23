package clone

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestMinRowsDefaultParsesToAccountsAndPeers(t *testing.T) {
	m, err := ParseMinRows(DefaultMinRows)
	require.NoError(t, err)
	require.Equal(t, map[string]int{"accounts": 1, "peers": 1}, m)
}

func TestMinRowsEmptyMeansNoGuard(t *testing.T) {
	m, err := ParseMinRows(" , ")
	require.NoError(t, err)
	require.Empty(t, m)
	require.Nil(t, CheckMinRows(map[string]int{}, m))
}

func TestMinRowsBadItemsNameTheVariableAndTheForm(t *testing.T) {
	for _, bad := range []string{"accounts", "accounts:x", "peers:-1", ":3", "a b:1", "accounts:1,peers"} {
		_, err := ParseMinRows(bad)
		require.Error(t, err, bad)
		require.Contains(t, err.Error(), "CLONE_MIN_ROWS: expected table:count", bad)
	}
}

func TestMinRowsReportsMissingTablesAndShortCountsInOrder(t *testing.T) {
	min := map[string]int{"peers": 2, "accounts": 1, "groups": 1}
	problems := CheckMinRows(map[string]int{"accounts": 1, "peers": 1}, min)
	require.Equal(t, []string{"table 'groups' not in the snapshot", "peers=1, expected at least 2"}, problems)
	require.Nil(t, CheckMinRows(map[string]int{"accounts": 1, "peers": 2, "groups": 5}, min))
}
