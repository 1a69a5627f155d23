package config

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/styliteag/birdseye/internal/event"
)

// The types below implement envconfig.Decoder. Each error they return says
// what is wrong with the value and the expected form; Load prefixes it with the
// variable's name. For numbers an empty value keeps the default, as in the old
// tool (`POLL_INTERVAL=` means 60).

// Seconds is a duration given in seconds; decimals are allowed (0.5).
type Seconds time.Duration

func (s *Seconds) Decode(v string) error {
	d, err := decimalDuration(v, time.Second, "seconds", "60 or 0.5")
	if err == nil && d >= 0 {
		*s = Seconds(d)
	}
	return err
}

// D returns the value as a time.Duration.
func (s Seconds) D() time.Duration { return time.Duration(s) }

// Minutes is a duration given in minutes; decimals are allowed (0.05).
type Minutes time.Duration

func (m *Minutes) Decode(v string) error {
	d, err := decimalDuration(v, time.Minute, "minutes", "10 or 0.5")
	if err == nil && d >= 0 {
		*m = Minutes(d)
	}
	return err
}

// D returns the value as a time.Duration.
func (m Minutes) D() time.Duration { return time.Duration(m) }

// decimalDuration returns -1 for an empty value (keep the default).
func decimalDuration(v string, unit time.Duration, unitName, example string) (time.Duration, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return -1, nil
	}
	expected := fmt.Sprintf("expected %s as a positive decimal number, e.g. %s", unitName, example)
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, fmt.Errorf("is not a number; %s", expected)
	}
	if f <= 0 {
		return 0, fmt.Errorf("must be greater than 0; %s", expected)
	}
	if f*float64(unit) > float64(365*24*time.Hour) {
		return 0, fmt.Errorf("is more than a year; %s", expected)
	}
	d := time.Duration(f * float64(unit))
	if d < time.Millisecond {
		return 0, fmt.Errorf("is below one millisecond; %s", expected)
	}
	return d, nil
}

// Count is a non-negative whole number.
type Count int

func (c *Count) Decode(v string) error {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return fmt.Errorf("is not a whole number; expected a non-negative integer, e.g. 200")
	}
	if n < 0 {
		return fmt.Errorf("is negative; expected a non-negative integer, e.g. 200")
	}
	*c = Count(n)
	return nil
}

// Bool accepts the old tool's truthy words (1, true, yes, on) and their
// opposites (0, false, no, off, empty); anything else is an error rather than a
// silent "false".
type Bool bool

func (b *Bool) Decode(v string) error {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "1", "true", "yes", "on":
		*b = true
	case "", "0", "false", "no", "off":
		*b = false
	default:
		return fmt.Errorf("is not a boolean; expected true or false (also 1/0, yes/no, on/off)")
	}
	return nil
}

// List is a comma-separated setting read once: entries trimmed, empty ones
// dropped (BACKUP_PATHS=/a, /b, is [/a /b]).
type List []string

func (l *List) Decode(v string) error {
	*l = SplitComma(v)
	return nil
}

// String is the list as it was written, comma-separated.
func (l List) String() string { return strings.Join(l, ",") }

// Globs is a comma-separated list of shell globs over activity codes. An empty
// value is an empty list (the sink then forwards nothing), as in the old tool.
type Globs struct {
	Raw   string
	Globs []event.Glob
}

func (g *Globs) Decode(v string) error {
	gs, err := event.ParseGlobList(v)
	if err != nil {
		return fmt.Errorf("%v; expected comma-separated shell globs such as policy.*,user.*", err)
	}
	*g = Globs{Raw: v, Globs: gs}
	return nil
}

// Secret is a token, password or URL that must never be printed. Its String
// method redacts it, so a Secret in a log line or an error shows "<secret>".
// Decoding never fails: a decode error would make envconfig echo the value.
type Secret string

func (s *Secret) Decode(v string) error {
	*s = Secret(strings.TrimSpace(v))
	return nil
}

// Reveal returns the secret for the one place that sends it.
func (s Secret) Reveal() string { return string(s) }

func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return "<secret>"
}

// GoString keeps %#v from printing the value either.
func (s Secret) GoString() string { return s.String() }

// MarshalText redacts the secret when a config is printed as JSON.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Location is a time zone name (TZ). Empty means UTC.
type Location struct {
	Name string
	Loc  *time.Location
}

func (l *Location) Decode(v string) error {
	v = strings.TrimSpace(v)
	if v == "" {
		v = "UTC"
	}
	// A POSIX TZ string such as ":Europe/Berlin" is also accepted by libc.
	loc, err := time.LoadLocation(strings.TrimPrefix(v, ":"))
	if err != nil {
		return fmt.Errorf("is not a known time zone; expected an IANA name such as Europe/Berlin or UTC")
	}
	*l = Location{Name: v, Loc: loc}
	return nil
}

// Choice is one word out of a fixed set, compared case-insensitively.
type choice struct {
	value   string
	allowed []string
}

func (c choice) check() error {
	for _, a := range c.allowed {
		if c.value == a {
			return nil
		}
	}
	return fmt.Errorf("is not an allowed value; expected one of %s", strings.Join(c.allowed, "|"))
}
