package netbird

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestScanTrafficPageHandsOverEachRecordWhateverTheKeyOrder(t *testing.T) {
	body := `{"total_pages":3,"page":2,"extra":{"x":[1,2]},"data":[{"flow_id":"a","protocol":6},{"flow_id":"b","protocol":17}],"page_size":2,"total_records":5}`
	var got []string
	p, err := scanTrafficPage(strings.NewReader(body), func(e TrafficEvent) { got = append(got, e.FlowID) })
	require.NoError(t, err)
	require.Equal(t, []string{"a", "b"}, got)
	require.Equal(t, TrafficPage{Page: 2, PageSize: 2, TotalRecords: 5, TotalPages: 3}, *p)
}

func TestScanTrafficPageRefusesWhatIsNotAPage(t *testing.T) {
	for name, body := range map[string]string{
		"html":       "<html>502 Bad Gateway</html>",
		"truncated":  `{"data":[{"flow_id":"a"},{"flow_`,
		"data-obj":   `{"data":{"flow_id":"a"}}`,
		"bad-record": `{"data":[{"protocol":"tcp"}]}`,
		"list":       `[]`,
	} {
		_, err := scanTrafficPage(strings.NewReader(body), func(TrafficEvent) {})
		require.Error(t, err, name)
	}
	p, err := scanTrafficPage(strings.NewReader(`{"data":null,"page":1,"total_pages":0}`), func(TrafficEvent) { t.Fatal("no records") })
	require.NoError(t, err, "data null is an empty page")
	require.Equal(t, 1, p.Page)
}
