// Package fake is an in-process NetBird management API that behaves like the
// real v0.77.1 server where birdseye touches it: token auth with the real
// error bodies (a deleted token gets 404), X-Request-Id, the plain-text 404 of
// unknown routes, the audit list newest-first by timestamp with the 10,000
// cap, and ways to inject failures and add events while a test runs. Tests
// use it through httptest; `birdseye demo` serves it on loopback.
package fake

import (
	"bytes"
	"cmp"
	_ "embed"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/styliteag/birdseye/internal/event"
)

// Fixtures: real responses of a v0.77.1 server.
var (
	//go:embed fixtures/users.json
	UsersJSON []byte
	//go:embed fixtures/setup_keys.json
	SetupKeysJSON []byte
	//go:embed fixtures/events_audit.json
	EventsJSON []byte
)

// Tokens the server knows. A deleted token is well-formed but gone: the real
// server answers it with 404, not 401.
const (
	AdminToken   = "nbp_fakeadmin0000000000000000000000000000"
	AuditorToken = "nbp_fakeauditor00000000000000000000000000"
	DeletedToken = "nbp_fakedeleted00000000000000000000000000"
)

// Request is one request the server received.
type Request struct {
	Method, Path, Auth, UserAgent string
	Query                         string // the raw query
	Body                          string // of POST and PUT
}

// Server is the fake. The zero value is not usable; call New.
type Server struct {
	mu       sync.Mutex
	events   []event.Event
	nextID   event.ID
	users    json.RawMessage
	failures []Failure
	requests []Request
	// dnsSettings and accounts are loaded from the fixtures on first use.
	dnsSettings object
	accounts    *objects
	reqSeq      atomic.Int64
	col         map[string]*objects
	seq         int
	flows       []Flow
	trafficOn   bool
	access      []Access
	static      map[string][]byte   // SetStatic bodies
	rawAudit    map[event.ID]string // AddRaw entries, sent as written
	noProxy     bool                // NoProxyLogs

	// Now stamps added events; tests may replace it.
	Now func() time.Time
	// TrafficNewestFirst pages the traffic flows newest first (the API does
	// not say in which order a server pages; a client must not care).
	TrafficNewestFirst bool
}

// New returns a server with the fixture users and setup keys and no events.
func New() *Server {
	return &Server{users: defaultUsers(), nextID: 1, Now: time.Now, col: map[string]*objects{
		"peers": load(PeersJSON), "groups": load(GroupsJSON), "policies": load(PoliciesJSON),
		"posture-checks": load(PostureChecksJSON), "setup-keys": load(SetupKeysJSON),
		"routes": fixtureCollection("routes.json"), "dns/nameservers": fixtureCollection("dns_nameservers.json"),
		"networks": fixtureCollection("networks.json"),
		"networks/dc1uf0tqmd2qmv54vk6g/resources": fixtureCollection("network_resources.json"),
		"networks/dc1uf0tqmd2qmv54vk6g/routers":   fixtureCollection("network_routers.json"),
	}}
}

// LoadFixtureEvents adds the 24 events of the real server's audit list.
func (s *Server) LoadFixtureEvents() {
	var evs []event.Event
	if err := json.Unmarshal(EventsJSON, &evs); err != nil {
		panic(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range evs {
		s.events = append(s.events, e)
		s.nextID = max(s.nextID, e.ID+1)
	}
}

// Add stores a new event with the next id and the current time; zero ID and
// Timestamp fields are filled in. It returns the stored event.
func (s *Server) Add(e event.Event) event.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e.ID == 0 {
		e.ID = s.nextID
	}
	s.nextID = max(s.nextID, e.ID+1)
	if e.Timestamp == "" {
		e.Timestamp = s.Now().UTC().Format(time.RFC3339Nano)
	}
	if e.Activity == "" {
		e.Activity = activityFor(e.ActivityCode)
	}
	s.events = append(s.events, e)
	return e
}

// AddN adds n events of one code at once (no poll sees part of them), named
// name-1 … name-n, with target_id "id-<id>" so that tests can tell them apart
// in output.
func (s *Server) AddN(n int, code, name string) []event.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]event.Event, 0, n)
	ts := s.Now().UTC()
	for i := 1; i <= n; i++ {
		e := event.Event{ID: s.nextID, ActivityCode: code, Activity: activityFor(code), InitiatorID: "sys",
			TargetID: fmt.Sprintf("id-%d", s.nextID), Timestamp: ts.Add(time.Duration(i) * time.Microsecond).Format(time.RFC3339Nano),
			Meta: event.Meta{{Key: "name", Value: fmt.Sprintf("%s-%d", name, i)}}}
		s.nextID++
		s.events = append(s.events, e)
		out = append(out, e)
	}
	return out
}

// AddRaw adds an audit entry the server sends exactly as entry(id) writes
// it: malformed entries for the decoder's tests. It sorts as the newest.
func (s *Server) AddRaw(entry func(id event.ID) string) event.ID {
	e := s.Add(event.Event{ActivityCode: "raw"})
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.rawAudit == nil {
		s.rawAudit = map[event.ID]string{}
	}
	s.rawAudit[e.ID] = entry(e.ID)
	return e.ID
}

// ReserveID hands out an id now for an event that becomes visible later, as a
// Postgres insert that commits after a later one does. Publish it with Add.
func (s *Server) ReserveID() event.ID {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.nextID
	s.nextID++
	return id
}

// Events returns a copy of every stored event, in insertion order.
func (s *Server) Events() []event.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.events)
}

// Requests returns what the server has received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// SetUsers replaces the GET /api/users body.
func (s *Server) SetUsers(body string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users = json.RawMessage(body)
}

// SetSetupKeys replaces the setup keys (a JSON array as GET returns).
func (s *Server) SetSetupKeys(body string) { s.setCollection("setup-keys", []byte(body)) }

func activityFor(code string) string {
	for _, c := range event.KnownCodes {
		if c.Code == code {
			return c.Activity
		}
	}
	return code
}

// ServeHTTP routes like the management server's gorilla/mux router.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Auth: r.Header.Get("Authorization"), UserAgent: r.UserAgent()})
	var f *Failure
	if len(s.failures) > 0 && s.failures[0].matches(r.Method, r.URL.Path) {
		f = &s.failures[0]
		if f.Times--; f.Times <= 0 {
			s.failures = s.failures[1:]
		}
		cp := *f
		f = &cp
	}
	s.mu.Unlock()

	if s.trafficRoute(w, r) || s.proxyLogRoute(w, r, f) {
		return
	}
	route, known := routes[r.URL.Path]
	if !known && isStaticPath(r.URL.Path) {
		w.Header().Set("X-Request-Id", fmt.Sprintf("fake-%06d", s.reqSeq.Add(1)))
		if !s.authorised(w, r) || (f != nil && f.serve(s, w, r)) {
			return
		}
		if !s.staticRoute(w, r) {
			w.WriteHeader(http.StatusMethodNotAllowed)
		}
		return
	}
	if !known && isObjectPath(r.URL.Path) {
		w.Header().Set("X-Request-Id", fmt.Sprintf("fake-%06d", s.reqSeq.Add(1)))
		if !s.authorised(w, r) || (f != nil && f.serve(s, w, r)) {
			return
		}
		s.objectRoute(w, r, isAdmin(r))
		return
	}
	if !known {
		notFound(w) // the router's own 404: plain text, no X-Request-Id
		return
	}
	if r.Method != route.method && !(r.URL.Path == "/api/users" && r.Method == http.MethodPost) {
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	w.Header().Set("X-Request-Id", fmt.Sprintf("fake-%06d", s.reqSeq.Add(1)))
	if !s.authorised(w, r) {
		return
	}
	if f != nil && f.serve(s, w, r) {
		return
	}
	if r.Method == http.MethodPost && r.URL.Path == "/api/users" {
		s.writeUser(w, r, "")
		return
	}
	route.handle(s, w, r)
}

type route struct {
	method string
	handle func(*Server, http.ResponseWriter, *http.Request)
}

var routes = map[string]route{
	"/api/events/audit":  {http.MethodGet, (*Server).audit},
	"/api/events":        {http.MethodGet, (*Server).audit},
	"/api/users":         {http.MethodGet, (*Server).listUsers},
	"/api/users/current": {http.MethodGet, (*Server).currentUser},
}

// authorised checks the token the way the server's auth middleware does.
func (s *Server) authorised(w http.ResponseWriter, r *http.Request) bool {
	h := r.Header.Get("Authorization")
	scheme, tok, _ := strings.Cut(h, " ")
	switch {
	case h == "" || (!strings.EqualFold(scheme, "token") && !strings.EqualFold(scheme, "bearer")):
		WriteError(w, http.StatusUnauthorized, "no valid authentication provided")
	case tok == DeletedToken:
		WriteError(w, http.StatusNotFound, "invalid token: pat: 0d83bp9d97djgachj++nb4q3jvbfhdzb2pcu7xiordk= not found")
	case tok != AdminToken && tok != AuditorToken && tok != OwnerToken:
		WriteError(w, http.StatusUnauthorized, "token invalid")
	default:
		return true
	}
	return false
}

// WriteError writes the server's JSON error body.
func WriteError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	b, _ := json.Marshal(struct {
		Message string `json:"message"`
		Code    int    `json:"code"`
	}{msg, status})
	w.Write(append(b, '\n'))
}

func (s *Server) raw(w http.ResponseWriter, body *json.RawMessage) {
	s.mu.Lock()
	b := *body
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.Write(b)
	w.Write([]byte("\n"))
}

// audit answers like the real handler: newest 10,000 by timestamp, newest first.
func (s *Server) audit(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	evs := slices.Clone(s.events)
	s.mu.Unlock()
	slices.SortStableFunc(evs, func(a, b event.Event) int {
		ta, _ := a.Time()
		tb, _ := b.Time()
		if c := tb.Compare(ta); c != 0 {
			return c
		}
		return cmp.Compare(b.ID, a.ID)
	})
	if len(evs) > 10000 {
		evs = evs[:10000]
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	s.mu.Lock()
	raw := maps.Clone(s.rawAudit)
	s.mu.Unlock()
	var b bytes.Buffer
	b.WriteByte('[')
	for i, e := range evs {
		if i > 0 {
			b.WriteByte(',')
		}
		if r, ok := raw[e.ID]; ok {
			b.WriteString(r)
			continue
		}
		j, _ := json.Marshal(e)
		b.Write(j)
	}
	b.WriteString("]\n")
	w.Write(b.Bytes())
}
