package follow

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"
)

func TestAFailedPollIsReportedAndRetriedAndAFatalOneEndsIt(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		errs := []error{nil, errors.New("connection refused"), nil, errors.New("HTTP 401")}
		polls, reported := 0, []string{}
		err := Run(t.Context(), time.Minute,
			func(context.Context) error { polls++; return errs[polls-1] },
			func(err error) error {
				if err.Error() == "HTTP 401" {
					return err
				}
				return nil
			},
			func(err error) { reported = append(reported, err.Error()) })
		require.EqualError(t, err, "HTTP 401")
		require.Equal(t, 4, polls)
		require.Equal(t, []string{"connection refused"}, reported)
	})
}

func TestItStopsWhenTheContextEnds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		polls := 0
		go func() { time.Sleep(150 * time.Second); cancel() }()
		require.NoError(t, Run(ctx, time.Minute, func(context.Context) error { polls++; return nil }, func(error) error { return nil }, func(error) {}))
		require.Equal(t, 2, polls)
	})
}
