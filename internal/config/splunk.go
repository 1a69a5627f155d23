package config

import "errors"

// Splunk is SPLUNK_HEC_*: the Splunk HTTP Event Collector sink.
type Splunk struct {
	URL        Secret `envconfig:"SPLUNK_HEC_URL" desc:"the HTTP Event Collector, e.g. https://splunk.example.com:8088 (the path /services/collector/event is added; empty = off)"`
	Token      Secret `envconfig:"SPLUNK_HEC_TOKEN" desc:"the HEC token"`
	Index      string `envconfig:"SPLUNK_HEC_INDEX" desc:"the index (empty = the token's default)"`
	Source     string `envconfig:"SPLUNK_HEC_SOURCE" default:"birdseye" desc:"the events' source"`
	SourceType string `envconfig:"SPLUNK_HEC_SOURCETYPE" default:"netbird:audit" desc:"the events' sourcetype"`
	Ack        Bool   `envconfig:"SPLUNK_HEC_ACK" default:"off" desc:"wait for indexer acknowledgement (on the token too): a batch counts only once Splunk indexed it"`
	Include    Globs  `envconfig:"SPLUNK_INCLUDE" default:"*" desc:"activity-code globs sent to Splunk"`
	Exclude    Globs  `envconfig:"SPLUNK_EXCLUDE" default:"" desc:"activity-code globs not sent to Splunk"`
}

// Enabled is whether the sink is on.
func (s Splunk) Enabled() bool { return s.URL != "" }

func (s Splunk) validate() error {
	if s.URL == "" {
		return nil
	}
	err := httpURL("SPLUNK_HEC_URL", s.URL, "https://splunk.example.com:8088")
	if s.Token == "" && !fileGiven("SPLUNK_HEC_TOKEN") {
		err = errors.Join(err, &Error{Var: "SPLUNK_HEC_TOKEN", Msg: "is not set (nor SPLUNK_HEC_TOKEN_FILE); expected the HEC token (Settings → Data inputs → HTTP Event Collector)"})
	}
	return err
}
