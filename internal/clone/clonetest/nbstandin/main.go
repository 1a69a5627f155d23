// Command nbstandin stands in for NetBird's management server in the
// standby clone's end-to-end tests: it serves the parts of the API that
// `birdseye clone verify` reads (the account and the object lists) over
// TLS, from the SQLite store it is given, so a test compares real counts
// of the databases the clone installed. It is built by the tests and runs
// on the host (the primary) and in a scratch image (the standby's stack).
// With -route it is the standby's ingress instead: it terminates TLS and
// passes each request to the stack of its host name, as Traefik does.
package main

import (
	"crypto/tls"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"strings"

	_ "modernc.org/sqlite"
)

// tables are the store's tables behind each list the API serves.
var tables = map[string]string{
	"/api/peers": "peers", "/api/groups": "groups", "/api/policies": "policies", "/api/networks": "networks",
	"/api/users": "users", "/api/setup-keys": "setup_keys", "/api/posture-checks": "posture_checks",
}

func main() {
	db := flag.String("db", "store.db", "the SQLite store")
	listen := flag.String("listen", "127.0.0.1:443", "address to serve on")
	cert := flag.String("cert", "cert.pem", "TLS certificate")
	key := flag.String("key", "key.pem", "TLS key")
	token := flag.String("token", "", "the API token it accepts")
	routes := map[string]string{}
	flag.Func("route", "name=host:port: requests for name go to that stack (an ingress)", func(v string) error {
		name, addr, ok := strings.Cut(v, "=")
		if !ok {
			return fmt.Errorf("expected name=host:port, got %q", v)
		}
		routes[name] = addr
		return nil
	})
	flag.Parse()
	if len(routes) > 0 {
		ingress(*listen, *cert, *key, routes)
		return
	}
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.Header.Get("Authorization") != "Token "+*token {
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"message":"token invalid","code":401}`)
			return
		}
		// Opened per request: an install replaces the file.
		store, err := sql.Open("sqlite", "file:"+(&url.URL{Path: *db}).EscapedPath()+"?mode=ro")
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		defer store.Close()
		table, ok := tables[r.URL.Path]
		if r.URL.Path == "/api/accounts" {
			table, ok = "accounts", true
		}
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"message":"not found","code":404}`)
			return
		}
		rows, err := store.Query("SELECT id FROM " + table + " ORDER BY id")
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		defer rows.Close()
		list := []map[string]string{}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			list = append(list, map[string]string{"id": id})
		}
		json.NewEncoder(w).Encode(list)
	})
	fmt.Fprintln(os.Stderr, "nbstandin serving", *db, "on", *listen)
	log.Fatal(http.ListenAndServeTLS(*listen, *cert, *key, nil))
}

// ingress passes each request to the stack its host name routes to; a
// stack that is stopped answers 502, as behind Traefik.
func ingress(listen, cert, key string, routes map[string]string) {
	proxy := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			host := r.In.Host
			if h, _, ok := strings.Cut(host, ":"); ok {
				host = h
			}
			r.SetURL(&url.URL{Scheme: "https", Host: routes[host]})
			r.Out.Host = r.In.Host
		},
		Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}, // the stacks' own certificates, on loopback
	}
	fmt.Fprintln(os.Stderr, "nbstandin ingress on", listen, routes)
	log.Fatal(http.ListenAndServeTLS(listen, cert, key, proxy))
}
