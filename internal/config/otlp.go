package config

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// OTLP is OTLP_*: OpenTelemetry logs over OTLP/HTTP.
type OTLP struct {
	Endpoint Secret `envconfig:"OTLP_LOGS_ENDPOINT" desc:"the OTLP/HTTP logs endpoint, e.g. http://otel-collector:4318/v1/logs (a URL without a path gets /v1/logs; empty = off)"`
	Protocol string `envconfig:"OTLP_PROTOCOL" default:"http/protobuf" desc:"http/protobuf or http/json"`
	Compress string `envconfig:"OTLP_COMPRESSION" default:"none" desc:"gzip or none (as OTEL_EXPORTER_OTLP_COMPRESSION)"`
	Headers  Secret `envconfig:"OTLP_HEADERS" desc:"request headers as key=value pairs separated by commas, values percent-encoded (as OTEL_EXPORTER_OTLP_HEADERS), e.g. Authorization=Bearer%20abc"`
	Resource string `envconfig:"OTLP_RESOURCE_ATTRIBUTES" desc:"extra resource attributes as key=value pairs separated by commas, e.g. deployment.environment=prod (service.name is birdseye)"`
	Include  Globs  `envconfig:"OTLP_INCLUDE" default:"*" desc:"activity-code globs sent over OTLP"`
	Exclude  Globs  `envconfig:"OTLP_EXCLUDE" default:"" desc:"activity-code globs not sent over OTLP"`
}

// Enabled is whether the sink is on.
func (o OTLP) Enabled() bool { return o.Endpoint != "" }

// HeaderMap is OTLP_HEADERS parsed (checked by validate).
func (o OTLP) HeaderMap() map[string]string {
	m, _ := pairs("OTLP_HEADERS", o.Headers.Reveal(), true)
	return m
}

// ResourceMap is OTLP_RESOURCE_ATTRIBUTES parsed (checked by validate).
func (o OTLP) ResourceMap() map[string]string {
	m, _ := pairs("OTLP_RESOURCE_ATTRIBUTES", o.Resource, false)
	return m
}

func (o OTLP) validate() error {
	if o.Endpoint == "" {
		return nil
	}
	errs := []error{httpURL("OTLP_LOGS_ENDPOINT", o.Endpoint, "http://otel-collector:4318/v1/logs")}
	if o.Protocol != "http/protobuf" && o.Protocol != "http/json" {
		errs = append(errs, &Error{Var: "OTLP_PROTOCOL", Msg: fmt.Sprintf("=%q is not a protocol birdseye speaks; expected http/protobuf or http/json (gRPC: use the collector's 4318 port)", o.Protocol)})
	}
	if o.Compress != "gzip" && o.Compress != "none" {
		errs = append(errs, &Error{Var: "OTLP_COMPRESSION", Msg: fmt.Sprintf("=%q is not a compression birdseye speaks; expected gzip or none", o.Compress)})
	}
	_, err := pairs("OTLP_HEADERS", o.Headers.Reveal(), true)
	errs = append(errs, err)
	_, err = pairs("OTLP_RESOURCE_ATTRIBUTES", o.Resource, false)
	return errors.Join(append(errs, err)...)
}

// pairs reads key=value,key=value as the OpenTelemetry variables have it
// (values percent-decoded). For headers, the keys must be header names and
// no value is ever shown: they hold credentials.
func pairs(name, v string, secret bool) (map[string]string, error) {
	out := map[string]string{}
	if strings.TrimSpace(v) == "" {
		return out, nil
	}
	for i, item := range strings.Split(v, ",") {
		k, val, ok := strings.Cut(item, "=")
		k = strings.TrimSpace(k)
		where := fmt.Sprintf("item %d", i+1)
		if k != "" && (!secret || validHeaderName(k)) {
			where += fmt.Sprintf(" (%s)", k)
		}
		if !ok || k == "" {
			return nil, &Error{Var: name, Msg: where + " is not key=value; expected e.g. " + map[bool]string{true: "Authorization=Bearer%20<token>,X-Scope-OrgID=ops", false: "deployment.environment=prod,host.name=nb1"}[secret]}
		}
		if secret && !validHeaderName(k) {
			return nil, &Error{Var: name, Msg: where + " does not start with a header name (letters, digits, - and _)"}
		}
		dec, err := url.PathUnescape(strings.TrimSpace(val))
		if err != nil {
			return nil, &Error{Var: name, Msg: where + " has a value that is not percent-encoded right (a % must be followed by two hex digits)"}
		}
		out[k] = dec
	}
	return out, nil
}

func validHeaderName(k string) bool {
	for _, r := range k {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return k != ""
}
