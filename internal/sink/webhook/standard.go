package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/styliteag/birdseye/internal/event"
)

// SignStandard is the webhook-signature header: "v1,<base64 HMAC-SHA256
// of "{id}.{timestamp}.{body}">", one per key, space-separated.
func SignStandard(keys [][]byte, id string, t time.Time, body []byte) string {
	content := id + "." + strconv.FormatInt(t.Unix(), 10) + "."
	var sigs []string
	for _, k := range keys {
		mac := hmac.New(sha256.New, k)
		mac.Write([]byte(content))
		mac.Write(body)
		sigs = append(sigs, "v1,"+base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	}
	return strings.Join(sigs, " ")
}

// VerifyStandard is a receiver's check: one of the signatures must match a
// key, and the timestamp be within tolerance (0: not checked).
func VerifyStandard(keys [][]byte, id, timestamp, signature string, body []byte, now time.Time, tolerance time.Duration) error {
	n, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return fmt.Errorf("webhook-timestamp %q is not unix seconds", timestamp)
	}
	t := time.Unix(n, 0)
	if age := now.Sub(t); tolerance > 0 && (age > tolerance || age < -tolerance) {
		return fmt.Errorf("webhook-timestamp is %s away from now; a replay, or a clock off (tolerance %s)", age.Round(time.Second), tolerance)
	}
	for _, want := range strings.Fields(SignStandard(keys, id, t, body)) {
		for _, got := range strings.Fields(signature) {
			if hmac.Equal([]byte(want), []byte(got)) {
				return nil
			}
		}
	}
	return errors.New("no signature matches the secret")
}

// CloudEvent is one event as a CloudEvents 1.0 structured event: a stable
// id, the NetBird URL and stream as source, a type per stream and code,
// the target as subject, birdseye's event as data.
func CloudEvent(e event.Event, nbURL string) []byte {
	stream, typ, id := "audit", "io.netbird.audit."+e.ActivityCode, strconv.FormatInt(int64(e.ID), 10)
	switch {
	case e.Stream == event.StreamTraffic:
		stream, typ, id = "traffic", "io.netbird.traffic."+strings.TrimPrefix(e.ActivityCode, "traffic."), e.Key
	case e.Stream == event.StreamProxy:
		stream, typ, id = "proxy", "io.netbird.proxy."+strings.TrimPrefix(e.ActivityCode, "proxy."), e.Key
	case e.Stream != "" || strings.HasPrefix(e.ActivityCode, "birdseye."):
		stream, typ = e.Stream, "io.birdseye."+strings.TrimPrefix(e.ActivityCode, "birdseye.")
		id = e.Key
		if id == "" { // a notice: known by its text, the same on every retry
			h := sha256.Sum256([]byte(e.ActivityCode + "|" + e.Activity))
			id = base64.RawURLEncoding.EncodeToString(h[:12])
		}
	}
	data, _ := json.Marshal(e)
	ce := struct {
		SpecVersion     string          `json:"specversion"`
		ID              string          `json:"id"`
		Source          string          `json:"source"`
		Type            string          `json:"type"`
		Time            string          `json:"time,omitempty"`
		Subject         string          `json:"subject,omitempty"`
		DataContentType string          `json:"datacontenttype"`
		Data            json.RawMessage `json:"data"`
	}{"1.0", id, strings.TrimRight(nbURL, "/") + "/" + stream, typ, e.Timestamp, e.TargetID, "application/json", data}
	b, _ := json.Marshal(ce)
	return b
}
