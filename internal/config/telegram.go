package config

import (
	"errors"
	"strings"
)

// Telegram is TELEGRAM_*: a bot's messages to one chat.
type Telegram struct {
	Token   Secret `envconfig:"TELEGRAM_BOT_TOKEN" desc:"the bot's token from @BotFather, 123456789:AA… (empty = off)"`
	ChatID  string `envconfig:"TELEGRAM_CHAT_ID" desc:"the chat the bot posts to: a group's or channel's id (-100…) or @channelname"`
	APIURL  string `envconfig:"TELEGRAM_API_URL" default:"https://api.telegram.org" desc:"the Bot API server (a self-hosted one, or Telegram's)"`
	Include Globs  `envconfig:"TELEGRAM_INCLUDE" default:"*" desc:"activity-code globs sent to Telegram"`
	Exclude Globs  `envconfig:"TELEGRAM_EXCLUDE" default:"" desc:"activity-code globs not sent to Telegram"`
}

// Enabled is whether the sink is on.
func (t Telegram) Enabled() bool { return t.Token != "" }

// URL is the bot's sendMessage URL (a secret: it holds the token).
func (t Telegram) URL() string {
	return strings.TrimSuffix(t.APIURL, "/") + "/bot" + t.Token.Reveal() + "/sendMessage"
}

func (t Telegram) validate() error {
	if t.Token == "" {
		return nil
	}
	var errs []error
	if !strings.Contains(t.Token.Reveal(), ":") {
		errs = append(errs, &Error{Var: "TELEGRAM_BOT_TOKEN", Msg: "is not a bot token; expected what @BotFather gives, 123456789:AA…"})
	}
	if strings.TrimSpace(t.ChatID) == "" {
		errs = append(errs, &Error{Var: "TELEGRAM_CHAT_ID", Msg: "is not set; expected the chat's id, e.g. -1001234567890, or @channelname"})
	}
	errs = append(errs, httpURL("TELEGRAM_API_URL", Secret(t.APIURL), "https://api.telegram.org"))
	return errors.Join(errs...)
}
