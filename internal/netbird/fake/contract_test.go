package fake

import (
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/styliteag/birdseye/internal/netbird/realtest"
)

// The contract: the same table of requests (contract_table_test.go) goes to
// the fake and to a real v0.77.1 server, and both must give the same status
// codes and the same error messages. The real server's answers are kept in
// testdata/contract.json, so the fake is held to them on every run, and the
// real server (where it is built) is held to the record:
//
//	go test ./internal/netbird/fake -run Contract -update   (rewrites the record from the real server)
var update = flag.Bool("update", false, "rewrite testdata/contract.json from the real NetBird server")

const contractFile = "testdata/contract.json"

// answer is what the contract compares of one response.
type answer struct {
	Step    string `json:"step"`
	Code    int    `json:"code"`
	Message string `json:"message,omitempty"` // the error body's message, ids named by their variables
}

// side is one server the table runs against.
type side struct {
	url    string
	tokens map[string]string // by role: admin, auditor, owner
	vars   map[string]string // ids the steps saved, and those the setup found
}

func (s *side) do(t *testing.T, st step) (int, []byte) {
	t.Helper()
	var body io.Reader
	if st.raw != "" {
		body = strings.NewReader(st.raw)
	} else if st.body != nil {
		b, err := json.Marshal(st.body)
		require.NoError(t, err)
		body = strings.NewReader(s.fill(string(b)))
	}
	req, err := http.NewRequest(st.method, s.url+s.fill(st.path), body)
	require.NoError(t, err)
	role := st.token
	if role == "" {
		role = "admin"
	}
	req.Header.Set("Authorization", "Token "+s.tokens[role])
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, b
}

// fill puts the variables' values in for their {names}.
func (s *side) fill(text string) string {
	for k, v := range s.vars {
		text = strings.ReplaceAll(text, "{"+k+"}", v)
	}
	return text
}

// name puts the variables' names back for their values in a message, so
// two servers' messages about their own ids compare.
func (s *side) name(text string) string {
	keys := slices.Sorted(func(yield func(string) bool) {
		for k := range s.vars {
			if !yield(k) {
				return
			}
		}
	})
	// Longer values first, so an id inside another is not named first.
	slices.SortFunc(keys, func(a, b string) int { return len(s.vars[b]) - len(s.vars[a]) })
	for _, k := range keys {
		if v := s.vars[k]; len(v) >= 6 {
			text = strings.ReplaceAll(text, v, "{"+k+"}")
		}
	}
	return text
}

// run sends the table and returns the answers.
func (s *side) run(t *testing.T, table []step) []answer {
	t.Helper()
	var out []answer
	for _, st := range table {
		code, b := s.do(t, st)
		a := answer{Step: st.name, Code: code}
		if code >= 400 {
			var e struct {
				Message string `json:"message"`
			}
			if json.Unmarshal(b, &e) == nil && e.Message != "" {
				a.Message = s.name(e.Message)
			} else {
				a.Message = strings.TrimSpace(string(b)) // the router's plain-text answers
			}
		}
		if st.save != "" && code/100 == 2 {
			var o struct {
				ID string `json:"id"`
			}
			require.NoError(t, json.Unmarshal(b, &o), "%s: %s", st.name, b)
			require.NotEmpty(t, o.ID, "%s: no id in %s", st.name, b)
			s.vars[st.save] = o.ID
		}
		out = append(out, a)
	}
	return out
}

// first reads the id of the first object of a list, or of the one named.
func (s *side) first(t *testing.T, path, name string) string {
	t.Helper()
	code, b := s.do(t, step{method: "GET", path: path})
	require.Equal(t, 200, code, "%s: %s", path, b)
	var list []struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}
	require.NoError(t, json.Unmarshal(b, &list))
	for _, o := range list {
		if name == "" || o.Name == name {
			return o.ID
		}
	}
	t.Fatalf("%s: no %q in %s", path, name, b)
	return ""
}

// prepare finds what the steps refer to: a peer, the account, the All group.
func (s *side) prepare(t *testing.T) {
	t.Helper()
	s.vars["peer"] = s.first(t, "/api/peers", "")
	s.vars["account"] = s.first(t, "/api/accounts", "")
	s.vars["all"] = s.first(t, "/api/groups", "All")
}

func fakeSide(t *testing.T) *side {
	srv := httptest.NewServer(New())
	t.Cleanup(srv.Close)
	s := &side{url: srv.URL, vars: map[string]string{},
		tokens: map[string]string{"admin": AdminToken, "auditor": AuditorToken, "owner": OwnerToken}}
	s.prepare(t)
	return s
}

func realSide(t *testing.T) *side {
	nb := realtest.Start(t)
	_, admin := nb.ServiceUser(t, "contract-admin", "admin")
	_, auditor := nb.ServiceUser(t, "contract-auditor", "auditor")
	_, key := nb.SetupKey(t, "contract-enrol", realtest.SetupKeyOptions{})
	nb.Enrol(t, key, false, "contract-peer")
	s := &side{url: nb.URL, vars: map[string]string{},
		tokens: map[string]string{"admin": admin, "auditor": auditor, "owner": nb.OwnerToken}}
	s.prepare(t)
	return s
}

func readRecord(t *testing.T) []answer {
	b, err := os.ReadFile(contractFile)
	require.NoError(t, err, "the real server's answers are recorded with -update")
	var rec []answer
	require.NoError(t, json.Unmarshal(b, &rec))
	return rec
}

// compare reports every step where got differs from want, all at once.
func compare(t *testing.T, who string, want, got []answer) {
	t.Helper()
	require.Len(t, got, len(want), "%s: the table and the record have as many steps", who)
	diffs := 0
	for i := range want {
		if want[i] != got[i] {
			diffs++
			t.Errorf("%s differs from the real server at %q:\n  real: %d %s\n  %s: %d %s", who, want[i].Step, want[i].Code, want[i].Message, who, got[i].Code, got[i].Message)
		}
	}
	if diffs > 0 {
		t.Logf("%d of %d steps differ", diffs, len(want))
	}
}

// The fake answers the table as the real server did.
func TestContractTheFakeAnswersAsTheRealServer(t *testing.T) {
	got := fakeSide(t).run(t, contractTable)
	compare(t, "fake", readRecord(t), got)
}

// The real server still answers as recorded (or, with -update, is recorded).
func TestContractTheRealServerAnswersAsRecorded(t *testing.T) {
	got := realSide(t).run(t, contractTable)
	if *update {
		b, err := json.MarshalIndent(got, "", "  ")
		require.NoError(t, err)
		require.NoError(t, os.MkdirAll(filepath.Dir(contractFile), 0o755))
		require.NoError(t, os.WriteFile(contractFile, append(b, '\n'), 0o644))
		return
	}
	compare(t, "real", readRecord(t), got)
}

// The table's names are unique: the record is read by position, and a
// difference is reported by name.
func TestContractStepsHaveUniqueNames(t *testing.T) {
	seen := map[string]bool{}
	for _, st := range contractTable {
		require.False(t, seen[st.name], "two steps named %q", st.name)
		seen[st.name] = true
	}
	require.Greater(t, len(contractTable), 60)
}
