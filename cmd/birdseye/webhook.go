package main

import (
	"fmt"
	"io"
	"os"
	"time"

	"github.com/styliteag/birdseye/internal/config"
	"github.com/styliteag/birdseye/internal/sink/webhook"
)

type webhookCmd struct {
	Verify webhookVerifyCmd `cmd:"" help:"Check a received body's signature, as a receiver would (body on stdin, headers as flags); for people writing a receiver."`
}

type webhookVerifyCmd struct {
	Style     string        `help:"standard (webhook-id, webhook-timestamp, webhook-signature) or birdseye (X-Birdseye-Signature). Default: WEBHOOK_STYLE, as the sender signs."`
	Secret    string        `help:"The shared secret (whsec_… for standard). Default: WEBHOOK_SECRET, which keeps it out of the process list."`
	ID        string        `name:"id" help:"The webhook-id header (standard)."`
	Timestamp string        `help:"The webhook-timestamp header (standard)."`
	Signature string        `help:"The webhook-signature header, or X-Birdseye-Signature for --style birdseye."`
	Tolerance time.Duration `default:"5m" help:"How old (or new) the timestamp may be; 0 = not checked (for a captured request)."`
}

func (c webhookVerifyCmd) Run(e *env) error {
	if err := config.LoadDotEnv(".env"); err != nil {
		return err
	}
	// The style the sender signs with: WEBHOOK_STYLE (birdseye by default,
	// as the webhook sink's), unless the flag says otherwise.
	secret, style, err := config.LoadWebhookSigning()
	if err != nil {
		return err
	}
	if c.Style == "" {
		c.Style = style
	}
	if c.Style != "standard" && c.Style != "birdseye" {
		return &flagError{Flag: "--style", Msg: fmt.Sprintf("=%q is not a style; expected standard or birdseye", c.Style)}
	}
	if c.Secret != "" {
		secret = c.Secret
	}
	if secret == "" {
		return &flagError{Flag: "--secret", Msg: "is not given and WEBHOOK_SECRET is not set; expected the receiver's shared secret"}
	}
	if c.Signature == "" {
		return &flagError{Flag: "--signature", Msg: "is missing; expected the signature header's value"}
	}
	body, err := io.ReadAll(os.Stdin)
	if err != nil {
		return fmt.Errorf("read the body from stdin: %w", err)
	}
	now := time.Now()
	if c.Style == "birdseye" {
		tol := c.Tolerance
		if tol == 0 {
			tol = 100 * 365 * 24 * time.Hour
		}
		if !webhook.Verify(secret, c.Signature, body, now, tol) {
			fmt.Fprintln(e.stdout, "signature INVALID: it does not match the secret and body, or the timestamp is outside the tolerance")
			return errExit{exitFailure}
		}
		fmt.Fprintln(e.stdout, "signature valid")
		return nil
	}
	if c.ID == "" || c.Timestamp == "" {
		return &flagError{Flag: "--id/--timestamp", Msg: "are needed with --style standard; expected the webhook-id and webhook-timestamp headers"}
	}
	keys, err := (config.Webhook{Secret: config.Secret(secret)}).StandardKeys()
	if err != nil {
		return &flagError{Flag: "--secret", Msg: err.(*config.Error).Msg}
	}
	if err := webhook.VerifyStandard(keys, c.ID, c.Timestamp, c.Signature, body, now, c.Tolerance); err != nil {
		fmt.Fprintln(e.stdout, "signature INVALID:", err)
		return errExit{exitFailure}
	}
	fmt.Fprintf(e.stdout, "signature valid (webhook-id %s)\n", c.ID)
	return nil
}
