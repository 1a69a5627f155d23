package fake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// The fake's tokens belong to users as on a real server: AdminToken and
// AuditorToken to service users (as the README advises), OwnerToken to the
// human owner who set the server up.
const OwnerToken = "nbp_fakeowner00000000000000000000000000000"

// The users the tokens belong to: the owner and the auditor bot are the
// captured fixture's; the admin bot is added to it.
const (
	ownerUserID = "CiRkZTgyY2JlNi1hOTllLTQ4YjEtYWRlNy1iYjUyZWUxOTk0N2MSBWxvY2Fs"
	botUserID   = "0255b0f6-0321-4d38-b1e0-1246b750ba1b"
	adminUserID = "8d0c3b7e-5a41-4c8e-9f2a-birdseyeadm1"
)

var adminBot = `{"auto_groups":[],"email":"","id":"` + adminUserID + `","is_blocked":false,"is_current":false,"is_service_user":true,"issued":"api","last_login":"0001-01-01T00:00:00Z","name":"birdseye-admin","pending_approval":false,"role":"admin","status":"active"}`

// defaultUsers is the captured list with the admin bot added.
func defaultUsers() json.RawMessage {
	s := strings.TrimSpace(string(UsersJSON))
	return json.RawMessage(strings.TrimSuffix(s, "]") + "," + adminBot + "]")
}

func tokenUser(tok string) string {
	switch tok {
	case OwnerToken:
		return ownerUserID
	case AdminToken:
		return adminUserID
	case AuditorToken:
		return botUserID
	}
	return ""
}

func bearer(r *http.Request) string {
	_, tok, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	return tok
}

// isAdmin: the tokens that may write (the owner's and the admin bot's).
func isAdmin(r *http.Request) bool { tok := bearer(r); return tok == AdminToken || tok == OwnerToken }

// users answers GET /api/users as v0.77.1 does: is_current marks the user
// the token belongs to (the only way a service user's token learns its own
// role: /api/users/current refuses service users).
func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	body := s.users
	s.mu.Unlock()
	var users []map[string]any
	if err := json.Unmarshal(body, &users); err != nil {
		s.raw(w, &body)
		return
	}
	me := tokenUser(bearer(r))
	for _, u := range users {
		if _, ok := u["is_current"]; ok {
			u["is_current"] = u["id"] == me
		}
	}
	if r.URL.Query().Get("service_user") == "true" {
		kept := users[:0]
		for _, u := range users {
			if u["is_service_user"] == true {
				kept = append(kept, u)
			}
		}
		users = kept
	}
	writeJSON(w, users)
}

// currentUser answers GET /api/users/current: 403 for a service user
// (v0.77.1 management/server/user.go), the captured owner otherwise.
func (s *Server) currentUser(w http.ResponseWriter, r *http.Request) {
	if tok := bearer(r); tok == AdminToken || tok == AuditorToken {
		WriteError(w, http.StatusForbidden, "permission denied")
		return
	}
	b, _ := fixtureFS.ReadFile("fixtures/users_current.json")
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.Write(b)
}

// userRoles are the roles the server accepts (api-facts: anything else is 422).
var userRoles = []string{"owner", "admin", "user", "billing_admin", "auditor", "network_admin"}

func isUserRole(role string) bool { return slices.Contains(userRoles, role) }

// tokensRoute answers /api/users/<id>/tokens: an empty list, and a create
// checked as user.go's CreatePAT checks it.
func (s *Server) tokensRoute(w http.ResponseWriter, r *http.Request) bool {
	switch r.Method {
	case http.MethodGet:
		writeJSON(w, []any{})
	case http.MethodPost:
		if !isAdmin(r) {
			WriteError(w, http.StatusForbidden, "permission denied")
			return true
		}
		body, ok := s.readBody(w, r)
		if !ok {
			return true
		}
		days, _ := body["expires_in"].(float64)
		switch {
		case str(body["name"]) == "":
			WriteError(w, http.StatusUnprocessableEntity, "token name can't be empty")
		case days < 1 || days > 365:
			WriteError(w, http.StatusUnprocessableEntity, "expiration has to be between 1 and 365")
		default:
			s.mu.Lock()
			s.seq++
			n := s.seq
			s.mu.Unlock()
			writeJSON(w, object{"plain_token": fmt.Sprintf("nbp_fake%032d", n), "personal_access_token": object{
				"id": fmt.Sprintf("faketoken%06d", n), "name": body["name"], "created_by": tokenUser(bearer(r)),
				"created_at": s.Now().UTC().Format("2006-01-02T15:04:05Z"), "expiration_date": s.Now().UTC().AddDate(0, 0, int(days)).Format("2006-01-02T15:04:05Z"),
				"last_used": nil}})
		}
	default:
		return false
	}
	return true
}

// writeUser answers POST /api/users (id "") and PUT or DELETE
// /api/users/<id>: UserCreateRequest and UserRequest {role, auto_groups,
// is_blocked}.
func (s *Server) writeUser(w http.ResponseWriter, r *http.Request, id string) {
	if !isAdmin(r) {
		WriteError(w, http.StatusForbidden, "permission denied")
		return
	}
	var body map[string]any
	if r.Method != http.MethodDelete {
		var ok bool
		if body, ok = s.readBody(w, r); !ok {
			return
		}
		if r.Method == http.MethodPost {
			if msg := validateNewUser(body); msg != "" {
				WriteError(w, http.StatusUnprocessableEntity, msg)
				return
			}
		} else if !isUserRole(str(body["role"])) {
			WriteError(w, http.StatusUnprocessableEntity, "invalid user role")
			return
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var users []map[string]any
	json.Unmarshal(s.users, &users)
	i := slices.IndexFunc(users, func(u map[string]any) bool { return u["id"] == id })
	switch {
	case r.Method == http.MethodPost:
		s.seq++
		service := body["is_service_user"] == true
		u := map[string]any{"id": fmt.Sprintf("fakeuser%06d", s.seq), "email": body["email"], "name": body["name"], "role": body["role"],
			"auto_groups": body["auto_groups"], "is_service_user": service, "is_blocked": false, "is_current": false, "issued": "api",
			"last_login": "0001-01-01T00:00:00Z", "pending_approval": false, "status": map[bool]string{true: "active", false: "invited"}[service]}
		if u["email"] == nil {
			u["email"] = ""
		}
		users = append(users, u)
		i = len(users) - 1
	case i < 0:
		WriteError(w, http.StatusNotFound, "user: "+id+" not found")
		return
	case r.Method == http.MethodDelete:
		users = slices.Delete(users, i, i+1)
	default:
		for _, k := range []string{"role", "auto_groups", "is_blocked"} {
			if v, ok := body[k]; ok {
				users[i][k] = v
			}
		}
		if users[i]["is_blocked"] == true {
			users[i]["status"] = "blocked"
		}
	}
	s.users, _ = json.Marshal(users)
	if r.Method == http.MethodDelete {
		writeJSON(w, map[string]any{})
		return
	}
	writeJSON(w, users[i])
}

// UsersJSON is the users as stored, for assertions.
func (s *Server) UsersJSON() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.users)
}
