package config

import (
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"

	"github.com/kelseyhightower/envconfig"
)

// process loads one component: defaults first (so that an empty number keeps
// its default), then the environment through envconfig, then the _FILE
// variants of secrets.
func process(spec any) error {
	v := reflect.ValueOf(spec).Elem()
	t := v.Type()
	for i := range t.NumField() {
		def, ok := t.Field(i).Tag.Lookup("default")
		if !ok {
			continue
		}
		f := v.Field(i)
		if d, ok := f.Addr().Interface().(envconfig.Decoder); ok {
			if err := d.Decode(def); err != nil {
				panic(fmt.Sprintf("bad default for %s: %v", t.Field(i).Name, err))
			}
		} else if f.Kind() == reflect.String {
			f.SetString(def)
		}
	}
	// envconfig stops at the first value it cannot read: each is read on
	// its own first, so that every bad value is named at once.
	var errs []error
	for i := range t.NumField() {
		key := t.Field(i).Tag.Get("envconfig")
		raw, set := os.LookupEnv(key)
		if key == "" || !set {
			continue
		}
		nv := reflect.New(t.Field(i).Type)
		nv.Elem().Set(v.Field(i)) // the default: an empty number keeps it
		if d, ok := nv.Interface().(envconfig.Decoder); ok {
			if err := d.Decode(raw); err != nil {
				errs = append(errs, &Error{Var: key, Msg: fmt.Sprintf("=%q %v", raw, err)})
				continue
			}
			v.Field(i).Set(nv.Elem()) // the good values count for the checks that follow
		} else if f := v.Field(i); f.Kind() == reflect.String {
			f.SetString(raw)
		}
	}
	if len(errs) > 0 {
		return Join(errs...)
	}
	if err := envconfig.Process("", spec); err != nil {
		var pe *envconfig.ParseError
		if errors.As(err, &pe) {
			return &Error{Var: pe.KeyName, Msg: fmt.Sprintf("=%q %v", pe.Value, pe.Err)}
		}
		return &Error{Var: "environment", Msg: err.Error()}
	}
	for i := range t.NumField() {
		f := v.Field(i)
		if f.Type() != reflect.TypeFor[Secret]() {
			continue
		}
		key := t.Field(i).Tag.Get("envconfig")
		s, err := secretFromFile(key, Secret(f.String()))
		if err != nil {
			return err
		}
		f.SetString(string(s))
	}
	return nil
}

func secretFromFile(key string, current Secret) (Secret, error) {
	path, ok := os.LookupEnv(key + "_FILE")
	if !ok || path == "" {
		return current, nil
	}
	if current != "" {
		return "", &Error{Var: key, Msg: fmt.Sprintf("and %s_FILE are both set; expected only one of them", key)}
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", &Error{Var: key + "_FILE", Msg: fmt.Sprintf("=%q cannot be read (%v); expected a readable file holding the secret", path, errors.Unwrap(err))}
	}
	s := strings.TrimSpace(string(b))
	if s == "" {
		return "", &Error{Var: key + "_FILE", Msg: fmt.Sprintf("=%q is empty; expected a file holding the secret", path)}
	}
	return Secret(s), nil
}

// Vars lists every variable Config reads, with its default and description,
// in declaration order: the source for the README table and .env.example check.
func Vars() []Var {
	var out []Var
	for _, part := range []any{NetBird{}, Forwarder{}, Events{}, Streams{}, Watch{}, Stdout{}, Mattermost{}, Webhook{}, Syslog{}, File{}, Chat{}, Ntfy{}, Splunk{}, Elastic{}, Loki{}, Telegram{}, OTLP{}, Email{}, SMTP{}, Schedule{}, Prune{}, Lint{}, Maintenance{}, Backup{}, Offsite{}, Mirror{}, Clone{}, Monitor{}, Metrics{}, Log{}} {
		t := reflect.TypeOf(part)
		for i := range t.NumField() {
			f := t.Field(i)
			if f.Tag.Get("envconfig") == "" {
				continue // derived, not read
			}
			out = append(out, Var{Name: f.Tag.Get("envconfig"), Default: f.Tag.Get("default"), Desc: f.Tag.Get("desc"), Secret: f.Type == reflect.TypeFor[Secret]()})
		}
	}
	return out
}

// Var describes one environment variable.
type Var struct {
	Name, Default, Desc string
	Secret              bool
}

// IsSet reports whether the variable is set in the environment (to
// anything, empty too): a default the user did not choose is said more
// quietly than a setting they made.
func IsSet(name string) bool {
	_, ok := os.LookupEnv(name)
	return ok
}
