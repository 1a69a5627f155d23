package clone

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestMinRowsReportsMissingTablesAndShortCountsInOrder(t *testing.T) {
	min := map[string]int{"peers": 2, "accounts": 1, "groups": 1}
	problems := CheckMinRows(map[string]int{"accounts": 1, "peers": 1}, min)
	require.Equal(t, []string{"table 'groups' not in the snapshot", "peers=1, expected at least 2"}, problems)
	require.Nil(t, CheckMinRows(map[string]int{"accounts": 1, "peers": 2, "groups": 5}, min))
}
