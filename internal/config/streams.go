package config

// Streams are the event streams `birdseye run` forwards besides the audit
// log, each off by default, with its own interval and, per sink, globs over
// the labels of its rows. Traffic labels: TYPE_START, TYPE_END, TYPE_DROP,
// P2P, ROUTED, INGRESS, EGRESS, tcp, udp, icmp. Proxy-log labels: success,
// failed, the status code (401) and its class (4xx).
type Streams struct {
	Traffic         Bool    `envconfig:"TRAFFIC_EVENTS" default:"off" desc:"on: forward network traffic events too (NetBird Cloud; a self-hosted server without them is asked again hourly)"`
	TrafficInterval Seconds `envconfig:"TRAFFIC_POLL_INTERVAL" default:"60" desc:"seconds between polls of the traffic events"`
	Proxy           Bool    `envconfig:"PROXY_LOGS" default:"off" desc:"on: forward the access log of NetBird's reverse proxy too"`
	ProxyInterval   Seconds `envconfig:"PROXY_POLL_INTERVAL" default:"60" desc:"seconds between polls of the proxy access log"`

	StdoutTrafficInclude     Globs `envconfig:"STDOUT_TRAFFIC_INCLUDE" default:"*" desc:"traffic labels printed on stdout (TYPE_DROP, TYPE_START, TYPE_END, P2P, ROUTED, INGRESS, EGRESS, tcp …)"`
	StdoutTrafficExclude     Globs `envconfig:"STDOUT_TRAFFIC_EXCLUDE" default:"" desc:"traffic labels not printed on stdout"`
	MattermostTrafficInclude Globs `envconfig:"MATTERMOST_TRAFFIC_INCLUDE" default:"TYPE_DROP" desc:"traffic labels posted to Mattermost (default: blocked connections)"`
	MattermostTrafficExclude Globs `envconfig:"MATTERMOST_TRAFFIC_EXCLUDE" default:"" desc:"traffic labels not posted to Mattermost"`
	EmailTrafficInclude      Globs `envconfig:"EMAIL_TRAFFIC_INCLUDE" default:"TYPE_DROP" desc:"traffic labels mailed (default: blocked connections)"`
	EmailTrafficExclude      Globs `envconfig:"EMAIL_TRAFFIC_EXCLUDE" default:"" desc:"traffic labels not mailed"`
	StdoutProxyInclude       Globs `envconfig:"STDOUT_PROXY_INCLUDE" default:"*" desc:"proxy-log labels printed on stdout (success, failed, a status code such as 401, a class such as 5xx)"`
	StdoutProxyExclude       Globs `envconfig:"STDOUT_PROXY_EXCLUDE" default:"" desc:"proxy-log labels not printed on stdout"`
	MattermostProxyInclude   Globs `envconfig:"MATTERMOST_PROXY_INCLUDE" default:"failed" desc:"proxy-log labels posted to Mattermost (default: failed and refused requests)"`
	MattermostProxyExclude   Globs `envconfig:"MATTERMOST_PROXY_EXCLUDE" default:"" desc:"proxy-log labels not posted to Mattermost"`
	EmailProxyInclude        Globs `envconfig:"EMAIL_PROXY_INCLUDE" default:"failed" desc:"proxy-log labels mailed (default: failed and refused requests)"`
	EmailProxyExclude        Globs `envconfig:"EMAIL_PROXY_EXCLUDE" default:"" desc:"proxy-log labels not mailed"`

	WebhookTrafficInclude Globs `envconfig:"WEBHOOK_TRAFFIC_INCLUDE" default:"*" desc:"traffic labels posted to the webhook"`
	WebhookTrafficExclude Globs `envconfig:"WEBHOOK_TRAFFIC_EXCLUDE" default:"" desc:"traffic labels not posted to the webhook"`
	WebhookProxyInclude   Globs `envconfig:"WEBHOOK_PROXY_INCLUDE" default:"*" desc:"proxy-log labels posted to the webhook"`
	WebhookProxyExclude   Globs `envconfig:"WEBHOOK_PROXY_EXCLUDE" default:"" desc:"proxy-log labels not posted to the webhook"`
	SyslogTrafficInclude  Globs `envconfig:"SYSLOG_TRAFFIC_INCLUDE" default:"*" desc:"traffic labels sent to syslog"`
	SyslogTrafficExclude  Globs `envconfig:"SYSLOG_TRAFFIC_EXCLUDE" default:"" desc:"traffic labels not sent to syslog"`
	SyslogProxyInclude    Globs `envconfig:"SYSLOG_PROXY_INCLUDE" default:"*" desc:"proxy-log labels sent to syslog"`
	SyslogProxyExclude    Globs `envconfig:"SYSLOG_PROXY_EXCLUDE" default:"" desc:"proxy-log labels not sent to syslog"`
	FileTrafficInclude    Globs `envconfig:"FILE_SINK_TRAFFIC_INCLUDE" default:"*" desc:"traffic labels written to the file"`
	FileTrafficExclude    Globs `envconfig:"FILE_SINK_TRAFFIC_EXCLUDE" default:"" desc:"traffic labels not written to the file"`
	FileProxyInclude      Globs `envconfig:"FILE_SINK_PROXY_INCLUDE" default:"*" desc:"proxy-log labels written to the file"`
	FileProxyExclude      Globs `envconfig:"FILE_SINK_PROXY_EXCLUDE" default:"" desc:"proxy-log labels not written to the file"`

	SplunkTrafficInclude  Globs `envconfig:"SPLUNK_TRAFFIC_INCLUDE" default:"*" desc:"traffic labels sent to Splunk"`
	SplunkTrafficExclude  Globs `envconfig:"SPLUNK_TRAFFIC_EXCLUDE" default:"" desc:"traffic labels not sent to Splunk"`
	SplunkProxyInclude    Globs `envconfig:"SPLUNK_PROXY_INCLUDE" default:"*" desc:"proxy-log labels sent to Splunk"`
	SplunkProxyExclude    Globs `envconfig:"SPLUNK_PROXY_EXCLUDE" default:"" desc:"proxy-log labels not sent to Splunk"`
	ElasticTrafficInclude Globs `envconfig:"ELASTIC_TRAFFIC_INCLUDE" default:"*" desc:"traffic labels indexed in Elasticsearch"`
	ElasticTrafficExclude Globs `envconfig:"ELASTIC_TRAFFIC_EXCLUDE" default:"" desc:"traffic labels not indexed in Elasticsearch"`
	ElasticProxyInclude   Globs `envconfig:"ELASTIC_PROXY_INCLUDE" default:"*" desc:"proxy-log labels indexed in Elasticsearch"`
	ElasticProxyExclude   Globs `envconfig:"ELASTIC_PROXY_EXCLUDE" default:"" desc:"proxy-log labels not indexed in Elasticsearch"`
	LokiTrafficInclude    Globs `envconfig:"LOKI_TRAFFIC_INCLUDE" default:"*" desc:"traffic labels pushed to Loki"`
	LokiTrafficExclude    Globs `envconfig:"LOKI_TRAFFIC_EXCLUDE" default:"" desc:"traffic labels not pushed to Loki"`
	LokiProxyInclude      Globs `envconfig:"LOKI_PROXY_INCLUDE" default:"*" desc:"proxy-log labels pushed to Loki"`
	LokiProxyExclude      Globs `envconfig:"LOKI_PROXY_EXCLUDE" default:"" desc:"proxy-log labels not pushed to Loki"`
	OTLPTrafficInclude    Globs `envconfig:"OTLP_TRAFFIC_INCLUDE" default:"*" desc:"traffic labels sent over OTLP"`
	OTLPTrafficExclude    Globs `envconfig:"OTLP_TRAFFIC_EXCLUDE" default:"" desc:"traffic labels not sent over OTLP"`
	OTLPProxyInclude      Globs `envconfig:"OTLP_PROXY_INCLUDE" default:"*" desc:"proxy-log labels sent over OTLP"`
	OTLPProxyExclude      Globs `envconfig:"OTLP_PROXY_EXCLUDE" default:"" desc:"proxy-log labels not sent over OTLP"`
}
