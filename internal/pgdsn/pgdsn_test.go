package pgdsn

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestAConnectionStringIsToldFromAPath(t *testing.T) {
	for s, want := range map[string]bool{
		"postgres://nb:pw@db:5432/netbird?sslmode=verify-full": true,
		"postgresql://db/netbird":                              true,
		"host=db dbname=netbird user=nb password=pw":           true,
		"/netbird-data/events.db":                              false,
		"events.db":                                            false,
		"/data/host=1/events.db":                               false,
	} {
		require.Equal(t, want, Is(s), s)
	}
}

func TestThePasswordNeverShows(t *testing.T) {
	require.Equal(t, "postgres://nb@db:5432/netbird?sslmode=require", Redact("postgres://nb:s3cret@db:5432/netbird?sslmode=require"))
	require.Equal(t, "postgres://db/netbird?password=xxxxx&user=nb", Redact("postgres://db/netbird?user=nb&password=s3cret"))
	require.Equal(t, "host=db user=nb password=xxxxx dbname=netbird", Redact("host=db user=nb password=s3cret dbname=netbird"))
	for _, dsn := range []string{"postgres://nb:s3cret@db/netbird", "postgres://db/netbird?user=nb&password=s3cret", "host=db password='s3cret'"} {
		require.Equal(t, "s3cret", Password(dsn), dsn)
	}
	require.Empty(t, Password("postgres://nb@db/netbird"))
}

func TestCheckReadsItAsTheDriverDoes(t *testing.T) {
	require.NoError(t, Check("postgres://nb:pw@db:5432/netbird?sslmode=verify-full"))
	require.NoError(t, Check("host=db dbname=netbird sslmode=disable"))
	require.ErrorContains(t, Check("postgres://db/netbird?sslmode=sometimes"), "sometimes")
	require.Error(t, Check("postgres://db:notaport/netbird"))
}
