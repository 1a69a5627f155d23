package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/stretchr/testify/require"
)

type posted struct {
	header http.Header
	body   []byte
}

// WEBHOOK_STYLE=standard with WEBHOOK_FORMAT=cloudevents: the receiver gets
// a CloudEvents batch signed as Standard Webhooks; `birdseye webhook
// verify` accepts it as it came and refuses it altered.
func TestE2EStandardWebhooksWithCloudEventsAndTheVerifyCommand(t *testing.T) {
	whsec := "whsec_" + base64.StdEncoding.EncodeToString([]byte("e2e-standard-webhooks-key-0123456"))
	var mu sync.Mutex
	var got []posted
	rx := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, posted{r.Header.Clone(), b})
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(rx.Close)
	f, api := newAPI(t)
	f.AddN(1, "group.add", "g")
	sf := filepath.Join(t.TempDir(), "state.json")
	d := start(t, baseEnv(t, api, sf, "WEBHOOK_URL="+rx.URL, "WEBHOOK_STYLE=standard", "WEBHOOK_FORMAT=cloudevents", "WEBHOOK_SECRET="+whsec))
	d.waitLog("first boot")
	f.AddN(2, "policy.update", "p")
	d.waitFor("the batch", func() bool { mu.Lock(); defer mu.Unlock(); return len(got) > 0 })
	d.signal(syscall.SIGTERM)
	require.Equal(t, 0, d.waitExit())

	p := got[0]
	require.Equal(t, "application/cloudevents-batch+json", p.header.Get("Content-Type"))
	var batch []map[string]any
	require.NoError(t, json.Unmarshal(p.body, &batch))
	require.Len(t, batch, 2)
	require.Equal(t, "io.netbird.audit.policy.update", batch[0]["type"])
	require.Equal(t, api.URL+"/audit", batch[0]["source"])

	senderEnv := []string{"WEBHOOK_SECRET=" + whsec, "WEBHOOK_STYLE=standard"} // as the sender's .env has it
	verify := func(body []byte, extra ...string) (int, string) {
		args := append([]string{"webhook", "verify", "--id", p.header.Get("webhook-id"), "--timestamp", p.header.Get("webhook-timestamp"),
			"--signature", p.header.Get("webhook-signature")}, extra...)
		cmd := exec.Command(binPath, args...)
		cmd.Env = senderEnv
		cmd.Dir = t.TempDir()
		cmd.Stdin = bytes.NewReader(body)
		out, _ := cmd.CombinedOutput()
		return cmd.ProcessState.ExitCode(), string(out)
	}
	code, out := verify(p.body)
	require.Equal(t, 0, code, out)
	require.Contains(t, out, "signature valid (webhook-id "+p.header.Get("webhook-id")+")")
	code, out = verify(bytes.Replace(p.body, []byte("policy.update"), []byte("policy.delete"), 1))
	require.Equal(t, 1, code)
	require.Contains(t, out, "signature INVALID: no signature matches the secret")
	code, out = verify(p.body, "--secret", "not-a-whsec")
	require.Equal(t, 2, code)
	require.Contains(t, out, "birdseye: --secret secret 1 does not start with whsec_")
	// The flag wins over WEBHOOK_STYLE: the birdseye style does not match.
	code, out = verify(p.body, "--style", "birdseye")
	require.Equal(t, 1, code, out)
	code, out = verify(p.body, "--style", "svix")
	require.Equal(t, 2, code)
	require.Contains(t, out, `birdseye: --style="svix" is not a style; expected standard or birdseye`)

	// The secret in a file (Docker secrets) is read as the sender reads it.
	secretFile := filepath.Join(t.TempDir(), "whsec")
	require.NoError(t, os.WriteFile(secretFile, []byte(whsec+"\n"), 0o600))
	senderEnv = []string{"WEBHOOK_SECRET_FILE=" + secretFile, "WEBHOOK_STYLE=standard"}
	code, out = verify(p.body)
	require.Equal(t, 0, code, out)
	senderEnv = []string{"WEBHOOK_SECRET_FILE=" + secretFile + ".gone", "WEBHOOK_STYLE=standard"}
	code, out = verify(p.body)
	require.Equal(t, 2, code, out)
	require.Contains(t, out, `birdseye: config: WEBHOOK_SECRET_FILE="`+secretFile+`.gone" cannot be read (no such file or directory); expected a readable file holding the secret`)
}

// A receiver answering 410 Gone stops the webhook with one alert, which
// the other sinks (Mattermost here) get.
func TestE2EAWebhookThatIsGoneStopsWithOneAlertElsewhere(t *testing.T) {
	var mu sync.Mutex
	calls := 0
	rx := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls++
		mu.Unlock()
		http.Error(w, "this endpoint was removed", http.StatusGone)
	}))
	t.Cleanup(rx.Close)
	mm, hook := newMattermost(t)
	f, api := newAPI(t)
	f.AddN(1, "group.add", "g")
	sf := filepath.Join(t.TempDir(), "state.json")
	d := start(t, baseEnv(t, api, sf, "WEBHOOK_URL="+rx.URL, "MATTERMOST_WEBHOOK_URL="+hook, "BACKOFF_CAP_SECONDS=0.1"))
	d.waitLog("first boot")
	f.AddN(1, "policy.update", "p")
	d.waitLog("410 Gone")
	d.waitFor("the alert on Mattermost", func() bool {
		for _, p := range mm.Posts() {
			if strings.Contains(p.Text, "birdseye stopped posting to webhook: the receiver answered 410 Gone") {
				return true
			}
		}
		return false
	})
	f.AddN(3, "policy.update", "p")
	waitMorePolls(d, f, "/api/events/audit", 3)
	mu.Lock()
	n := calls
	mu.Unlock()
	require.Equal(t, 1, n, "no more posts to a receiver that is gone")
	d.signal(syscall.SIGTERM)
	require.Equal(t, 0, d.waitExit())
}
