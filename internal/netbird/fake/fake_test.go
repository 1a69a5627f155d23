package fake

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

// The real server's answers (fixtures/errors.json, captured from v0.77.1)
// for the cases the fake models: same status, content type and body.
func TestFakeAnswersErrorsLikeTheRealServer(t *testing.T) {
	b, err := os.ReadFile("../testdata/errors.json")
	require.NoError(t, err)
	var raw []map[string]any
	require.NoError(t, json.Unmarshal(b, &raw))

	srv := httptest.NewServer(New())
	defer srv.Close()
	tokens := map[string]string{
		"deleted token: GET /api/events/audit":             "Token " + DeletedToken,
		"malformed token: GET /api/events/audit":           "Token nbp_short",
		"well-formed unknown token: GET /api/events/audit": "Token nbp_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA000000",
		"no Authorization header":                          "",
		"unknown route (cloud-only traffic events)":        "Token " + AuditorToken,
	}
	checked := 0
	for _, c := range raw {
		name := c["case"].(string)
		auth, ok := tokens[name]
		if !ok {
			continue
		}
		checked++
		method, path, _ := cut(c["request"].(string))
		req, _ := http.NewRequest(method, srv.URL+path, nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.Equal(t, int(c["status"].(float64)), resp.StatusCode, name)
		require.Equal(t, c["content_type"], resp.Header.Get("Content-Type"), name)
		require.Equal(t, c["body"], string(body), name)
		require.Equal(t, c["x_request_id_present"], resp.Header.Get("X-Request-Id") != "", name)
	}
	require.Equal(t, len(tokens), checked)
}

func cut(s string) (string, string, bool) {
	for i := range s {
		if s[i] == ' ' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

func TestAuditListIsNewestFirstAndCappedAt10000(t *testing.T) {
	f := New()
	f.AddN(10005, "group.add", "g")
	srv := httptest.NewServer(f)
	defer srv.Close()
	req, _ := http.NewRequest("GET", srv.URL+"/api/events/audit", nil)
	req.Header.Set("Authorization", "Token "+AuditorToken)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	var list []struct {
		ID string `json:"id"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&list))
	require.Len(t, list, 10000)
	require.Equal(t, "10005", list[0].ID)
	require.Equal(t, "6", list[9999].ID)
}
