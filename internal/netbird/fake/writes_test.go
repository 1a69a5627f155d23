package fake

import (
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"
)

// Group writes are checked as the server checks them (groups_handler.go,
// group.go); typed errors come lower-cased.
func TestGroupWritesAreValidatedAsTheServerDoes(t *testing.T) {
	f := New()
	srv := httptest.NewServer(f)
	defer srv.Close()
	for _, c := range []struct {
		method, path, body string
		code               int
		want               string
	}{
		{"POST", "/api/groups", `{"name":""}`, 422, `{"message":"group name shouldn't be empty","code":422}`},
		{"POST", "/api/groups", `{"name":"Servers"}`, 409, `{"message":"group with name servers already exists","code":409}`},
		{"POST", "/api/groups", `{"name":"New","peers":["nope"]}`, 422, `{"message":"peer with id \"nope\" not found","code":422}`},
		{"PUT", "/api/groups/dc1uer5qmd2qmv54vjm0", `{"name":"All"}`, 422, `{"message":"updating group all is not allowed","code":422}`},
		{"DELETE", "/api/groups/dc1uer5qmd2qmv54vjm0", ``, 422, `{"message":"deleting group all is not allowed","code":422}`},
	} {
		code, body := do(t, srv, c.method, c.path, AdminToken, c.body)
		require.Equal(t, c.code, code, c.body)
		require.JSONEq(t, c.want, body)
	}
	code, body := do(t, srv, "POST", "/api/groups", AdminToken, `{"name":"New","peers":["dc1uf0tqmd2qmv54vka0"]}`)
	require.Equal(t, 200, code, body)
	require.Contains(t, body, `"peers":[{"id":"dc1uf0tqmd2qmv54vka0","name":"alice-laptop"}]`)
	require.Contains(t, body, `"peers_count":1`)
}

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
	code, body = do(t, srv, "GET", "/api/networks/"+id+"/resources", AdminToken, "")
	require.Equal(t, 404, code, body)
	code, body = do(t, srv, "GET", "/api/networks/nope/routers", AdminToken, "")
	require.Equal(t, 404, code)
	require.Contains(t, body, "network not found: nope")
}

// Routes, nameserver groups and new setup keys are checked as route.go,
// nameserver.go and setupkeys_handler.go check them.
func TestRouteAndNameserverWritesAreValidatedAsTheServerDoes(t *testing.T) {
	f := New()
	srv := httptest.NewServer(f)
	defer srv.Close()
	const g = "dc1uf0tqmd2qmv54vjp0"
	for _, c := range []struct {
		path, body, want string
	}{
		{"/api/routes", `{"network_id":"lab","network":"10.0.0.0/16","metric":0,"groups":["` + g + `"]}`, "metric should be between 1 and 9999"},
		{"/api/routes", `{"network_id":"","network":"10.0.0.0/16","metric":9999,"groups":["` + g + `"]}`, "identifier should be between 1 and 40"},
		{"/api/routes", `{"network_id":"lab","network":"10.0.0.0/16","domains":["a.example.com"],"metric":9999,"groups":["` + g + `"]}`, "domains and network should not be provided at the same time"},
		{"/api/routes", `{"network_id":"lab","metric":9999,"groups":["` + g + `"]}`, "invalid prefix"},
		{"/api/routes", `{"network_id":"lab","network":"10.0.0.0/16","metric":9999,"groups":[]}`, "the list of group ids should not be empty"},
		{"/api/routes", `{"network_id":"lab","network":"10.0.0.0/16","metric":9999,"groups":["nope"]}`, "group id nope not found"},
		{"/api/routes", `{"network_id":"lab","network":"10.0.0.0/16","metric":9999,"peer":"ghost","groups":["` + g + `"]}`, "peer with id ghost not found"},
		{"/api/dns/nameservers", `{"name":"x","primary":false,"domains":[],"nameservers":[{"ip":"1.1.1.1","ns_type":"udp","port":53}],"groups":["` + g + `"]}`, "nameserver group primary status is false and domains are empty, it should be primary or have at least one domain"},
		{"/api/dns/nameservers", `{"name":"corp","primary":true,"nameservers":[{"ip":"1.1.1.1","ns_type":"udp","port":53}],"groups":["` + g + `"]}`, "a nameserver group with name corp already exist"},
		{"/api/dns/nameservers", `{"name":"y","primary":true,"nameservers":[],"groups":["` + g + `"]}`, "the list of nameservers should be 1 or 3, got 0"},
		{"/api/setup-keys", `{"name":"","type":"reusable","expires_in":0,"auto_groups":[],"usage_limit":0}`, "setup key name shouldn't be empty"},
		{"/api/setup-keys", `{"name":"k","type":"forever","expires_in":0,"auto_groups":[],"usage_limit":0}`, "unknown setup key type forever"},
		{"/api/setup-keys", `{"name":"k","type":"reusable","expires_in":-5,"auto_groups":[],"usage_limit":0}`, "expiresin can not be in the past"},
	} {
		code, body := do(t, srv, "POST", c.path, AdminToken, c.body)
		require.Equal(t, 422, code, c.body)
		require.JSONEq(t, `{"message":"`+c.want+`","code":422}`, body, c.body)
	}
	code, body := do(t, srv, "POST", "/api/routes", AdminToken, `{"network_id":"lab","network":"10.0.0.0/16","metric":9999,"groups":["`+g+`"]}`)
	require.Equal(t, 200, code, body)
	require.Contains(t, body, `"network_type":"IPv4"`)
}
