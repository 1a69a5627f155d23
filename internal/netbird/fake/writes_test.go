package fake

import (
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"
)

// A network's resources and routers are collections under it; the network
// lists them; deleting it deletes them.
func TestNetworksCarryTheirResourcesAndRouters(t *testing.T) {
	f := New()
	srv := httptest.NewServer(f)
	defer srv.Close()
	code, body := do(t, srv, "POST", "/api/networks", AdminToken, `{"name":"lab","description":"x"}`)
	require.Equal(t, 200, code, body)
	id := body[len(`{"description":"x","id":"`):][:16]
	code, body = do(t, srv, "POST", "/api/networks/"+id+"/resources", AdminToken, `{"name":"db","address":"10.0.0.7","enabled":true,"groups":["dc1uf0tqmd2qmv54vjp0"]}`)
	require.Equal(t, 200, code, body)
	require.Contains(t, body, `"type":"host"`)
	require.Contains(t, body, `"groups":[{"id":"dc1uf0tqmd2qmv54vjp0","name":"Servers"`)
	_, body = do(t, srv, "GET", "/api/networks/"+id, AdminToken, "")
	require.Contains(t, body, `"resources":["`)
	code, _ = do(t, srv, "DELETE", "/api/networks/"+id, AdminToken, "")
	require.Equal(t, 200, code)
	// As on the real server: a deleted network's resources list empty.
	code, body = do(t, srv, "GET", "/api/networks/"+id+"/resources", AdminToken, "")
	require.Equal(t, 200, code, body)
	require.JSONEq(t, `[]`, body)
	code, body = do(t, srv, "GET", "/api/networks/nope/routers/x", AdminToken, "")
	require.Equal(t, 404, code)
	require.Contains(t, body, "network: nope not found")
}
