package pgtest

import (
	"database/sql"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestAServerTakesPasswordLoginsAndComesBackAfterAStop(t *testing.T) {
	s := Start(t)
	s.Exec("postgres", `CREATE DATABASE netbird`, `CREATE ROLE reader LOGIN PASSWORD 'r-secret'`)
	var one int
	require.NoError(t, s.Admin("netbird").QueryRow(`SELECT 1`).Scan(&one))
	require.Equal(t, 1, one)
	for pw, ok := range map[string]bool{"r-secret": true, "wrong": false} {
		c, err := sql.Open("postgres", s.DSN("reader", pw, "netbird"))
		require.NoError(t, err)
		require.Equal(t, ok, c.Ping() == nil, pw)
		c.Close()
	}
	s.Stop()
	require.Error(t, s.Admin("netbird").Ping())
	s.Start()
	require.NoError(t, s.Admin("netbird").Ping())
}
