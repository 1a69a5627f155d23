package fake

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
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
		"auditor token: DELETE a peer":                     "Token " + AuditorToken,
		"unknown peer id":                                  "Token " + AdminToken,
		"validation: ports with protocol icmp":             "Token " + AdminToken,
		"invalid JSON body":                                "Token " + AdminToken,
	}
	bodies := map[string]string{
		"validation: ports with protocol icmp": `{"name":"p","enabled":true,"rules":[{"name":"r","enabled":true,"action":"accept","bidirectional":true,"protocol":"icmp","ports":["22"],"sources":["dc1uer5qmd2qmv54vjm0"],"destinations":["dc1uer5qmd2qmv54vjm0"]}]}`,
		"invalid JSON body":                    `{"name":`,
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
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(bodies[name]))
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

func do(t *testing.T, srv *httptest.Server, method, path, token, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Token "+token)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestPoliciesAreWrittenWithGroupIDsAndReadWithGroupObjects(t *testing.T) {
	f := New()
	srv := httptest.NewServer(f)
	defer srv.Close()
	code, body := do(t, srv, "POST", "/api/policies", AdminToken,
		`{"name":"ZPING: x","enabled":true,"rules":[{"name":"r","enabled":true,"action":"accept","bidirectional":true,"protocol":"icmp","sources":["dc1uf0tqmd2qmv54vjs0"],"destinations":["dc1uf0tqmd2qmv54vjp0"]}]}`)
	require.Equal(t, 200, code, body)
	require.Contains(t, body, `"sources":[{"id":"dc1uf0tqmd2qmv54vjs0","name":"Ops"`)
	code, body = do(t, srv, "PUT", "/api/policies/nope", AdminToken, `{"name":"x"}`)
	require.Equal(t, 404, code)
	require.Contains(t, body, "policy: nope not found")
	require.Len(t, f.Writes(), 2)
	require.Contains(t, f.Writes()[0].Body, `"ZPING: x"`)
}

func TestSetupKeysChangeOnlyGroupsAndRevokedAndStayRevoked(t *testing.T) {
	f := New()
	srv := httptest.NewServer(f)
	defer srv.Close()
	code, body := do(t, srv, "PUT", "/api/setup-keys/dc1uf0tqmd2qmv54vk30", AdminToken, `{"auto_groups":["dc1uf0tqmd2qmv54vjs0"],"revoked":true,"name":"renamed"}`)
	require.Equal(t, 200, code, body)
	require.Contains(t, body, `"auto_groups":["dc1uf0tqmd2qmv54vjs0"]`)
	require.Contains(t, body, `"name":"office-2026"`)
	code, body = do(t, srv, "PUT", "/api/setup-keys/dc1uf0tqmd2qmv54vk30", AdminToken, `{"auto_groups":[],"revoked":false}`)
	require.Equal(t, 422, code, body)
}

func TestAReadOnlyTokenCannotWrite(t *testing.T) {
	f := New()
	srv := httptest.NewServer(f)
	defer srv.Close()
	code, body := do(t, srv, "DELETE", "/api/peers/dc1uf0tqmd2qmv54vka0", AuditorToken, "")
	require.Equal(t, 403, code)
	require.Equal(t, "{\"message\":\"permission denied\",\"code\":403}\n", body)
	code, _ = do(t, srv, "DELETE", "/api/peers/dc1uf0tqmd2qmv54vka0", AdminToken, "")
	require.Equal(t, 200, code)
	require.NotContains(t, string(f.Collection("peers")), "dc1uf0tqmd2qmv54vka0")
}
