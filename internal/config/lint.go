package config

// Lint tunes `birdseye lint`.
type Lint struct {
	Skip      List  `envconfig:"LINT_SKIP" desc:"check ids birdseye lint does not run, comma-separated, e.g. login-expiration-off (a finding of one object is silenced by LINT_IGNORE in its description)"`
	StaleDays Count `envconfig:"LINT_STALE_DAYS" default:"90" desc:"days after which a peer not seen, still in groups policies name, is a finding of birdseye lint"`
}
