package config

import (
	"errors"
	"strings"
)

// Elastic is ELASTIC_*: the Elasticsearch / OpenSearch _bulk sink.
type Elastic struct {
	URL        Secret `envconfig:"ELASTIC_URL" desc:"the cluster, e.g. https://es.example.com:9200 (/_bulk is added; empty = off)"`
	APIKey     Secret `envconfig:"ELASTIC_API_KEY" desc:"an encoded API key (Authorization: ApiKey); else ELASTIC_USER and ELASTIC_PASSWORD"`
	User       string `envconfig:"ELASTIC_USER" desc:"user for basic authentication (OpenSearch, or Elasticsearch without API keys)"`
	Password   Secret `envconfig:"ELASTIC_PASSWORD" desc:"its password"`
	Index      string `envconfig:"ELASTIC_INDEX" default:"netbird-audit-%Y.%m.%d" desc:"the index, %Y %m %d from each event's day (UTC); or a data stream's name with ELASTIC_DATA_STREAM"`
	DataStream Bool   `envconfig:"ELASTIC_DATA_STREAM" default:"off" desc:"ELASTIC_INDEX is a data stream: documents are created, a repeat is already there"`
	Include    Globs  `envconfig:"ELASTIC_INCLUDE" default:"*" desc:"activity-code globs sent to Elasticsearch"`
	Exclude    Globs  `envconfig:"ELASTIC_EXCLUDE" default:"" desc:"activity-code globs not sent to Elasticsearch"`
}

// Enabled is whether the sink is on.
func (e Elastic) Enabled() bool { return e.URL != "" }

func (e Elastic) validate() error {
	if e.URL == "" {
		return nil
	}
	err := httpURL("ELASTIC_URL", e.URL, "https://es.example.com:9200")
	if strings.TrimSpace(e.Index) == "" {
		err = errors.Join(err, &Error{Var: "ELASTIC_INDEX", Msg: "is empty; expected an index name, e.g. netbird-audit-%Y.%m.%d"})
	}
	if bool(e.DataStream) && strings.Contains(e.Index, "%") {
		err = errors.Join(err, &Error{Var: "ELASTIC_INDEX", Msg: "=" + e.Index + " has a date, which a data stream's name does not (ELASTIC_DATA_STREAM=on); expected e.g. logs-netbird.audit-default"})
	}
	return err
}
