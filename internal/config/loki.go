package config

// Loki is LOKI_*: the Grafana Loki push sink.
type Loki struct {
	URL      Secret `envconfig:"LOKI_URL" desc:"Loki, e.g. http://loki:3100 (/loki/api/v1/push is added; empty = off)"`
	Tenant   string `envconfig:"LOKI_TENANT" desc:"the tenant (X-Scope-OrgID) of a multi-tenant Loki (empty = none)"`
	User     string `envconfig:"LOKI_USER" desc:"user for basic authentication (Grafana Cloud: the instance id)"`
	Password Secret `envconfig:"LOKI_PASSWORD" desc:"its password or token"`
	Include  Globs  `envconfig:"LOKI_INCLUDE" default:"*" desc:"activity-code globs pushed to Loki"`
	Exclude  Globs  `envconfig:"LOKI_EXCLUDE" default:"" desc:"activity-code globs not pushed to Loki"`
}

// Enabled is whether the sink is on.
func (l Loki) Enabled() bool { return l.URL != "" }

func (l Loki) validate() error {
	return httpURL("LOKI_URL", l.URL, "http://loki:3100")
}
